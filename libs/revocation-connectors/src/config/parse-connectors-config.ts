import Ajv, { ErrorObject, ValidateFunction } from 'ajv';

import { isPlainHttpUrl } from '../http/url';
import { CONNECTOR_TYPES, ConnectorType } from '../revocation-connector';
import { ConnectorConfig } from './connector-config';
import { CONNECTOR_CONFIG_SCHEMAS, CONNECTOR_NAME_PATTERN, CREDENTIAL_FIELDS, ENTRY_CHECKS, URL_FIELDS } from './connector-config.schemas';

// Error messages are built from field names and schema facts only, never from a configured value:
// the entries hold bearer tokens and client secrets, and these messages end up in logs.

let validators: Record<ConnectorType, ValidateFunction> | undefined;

function validatorFor(type: ConnectorType): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, strict: true, useDefaults: true, coerceTypes: false });
    validators = Object.fromEntries(CONNECTOR_TYPES.map((t) => [t, ajv.compile(CONNECTOR_CONFIG_SCHEMAS[t])])) as Record<ConnectorType, ValidateFunction>;
  }
  return validators[type];
}

/**
 * Validates the connectors configuration (a JSON array, or its JSON text) and returns it with defaults filled in.
 * Throws one Error that names every offending entry and field.
 */
export interface ParseConnectorsOptions {
  /** Credentials go only to https endpoints (production), unless an entry sets `allowPlainHttp`. */
  requireHttps?: boolean;
}

export function parseConnectorsConfig(config: unknown, options: ParseConnectorsOptions = {}): ConnectorConfig[] {
  const entries = typeof config === 'string' ? parseJsonText(config) : config;
  if (!Array.isArray(entries)) throw configError(['must be a JSON array of connector entries']);

  const problems: string[] = [];
  const parsed: ConnectorConfig[] = [];
  const firstIndexByName = new Map<string, number>();
  entries.forEach((entry, index) => {
    const result = parseEntry(entry, index, options);
    if (typeof result === 'string') {
      problems.push(result);
      return;
    }
    const earlier = firstIndexByName.get(result.name);
    if (earlier !== undefined) {
      problems.push(`${label(index, result.name)}: duplicate name, already used by connectors[${earlier}]`);
      return;
    }
    firstIndexByName.set(result.name, index);
    parsed.push(result);
  });
  if (problems.length > 0) throw configError(problems);
  return parsed;
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text around the error, which may be a secret.
    throw configError(['is not valid JSON']);
  }
}

function parseEntry(entry: unknown, index: number, options: ParseConnectorsOptions): ConnectorConfig | string {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return `connectors[${index}]: must be an object`;
  const { name, type } = entry as Record<string, unknown>;
  if (typeof name !== 'string' || !new RegExp(CONNECTOR_NAME_PATTERN).test(name)) {
    return `connectors[${index}]: field "name" is required and must match ${CONNECTOR_NAME_PATTERN}`;
  }
  const where = label(index, name);
  if (!CONNECTOR_TYPES.includes(type as ConnectorType)) {
    const shown = typeof type === 'string' && /^[a-z0-9-]{1,40}$/.test(type) ? ` "${type}"` : '';
    return `${where}: unknown type${shown}; expected one of ${CONNECTOR_TYPES.join(', ')}`;
  }

  const candidate = structuredClone(entry) as Record<string, unknown>;
  const validate = validatorFor(type as ConnectorType);
  if (!validate(candidate)) return `${where}: ${describe(validate.errors?.[0])}`;

  const urlField = URL_FIELDS[type as ConnectorType];
  if (!isPlainHttpUrl(candidate[urlField] as string)) {
    return `${where}: field "${urlField}" must be an absolute http(s) URL without credentials or fragment`;
  }
  const credential = CREDENTIAL_FIELDS[type as ConnectorType];
  if (
    options.requireHttps &&
    credential !== undefined &&
    candidate[credential] !== undefined &&
    !(candidate[urlField] as string).startsWith('https:') &&
    candidate['allowPlainHttp'] !== true
  ) {
    return `${where}: field "${urlField}" must be https: its "${credential}" would cross the network in the clear (set "allowPlainHttp": true only for a hop a service mesh encrypts)`;
  }
  const problem = ENTRY_CHECKS[type as ConnectorType]?.(candidate, options);
  if (problem) return `${where}: ${problem}`;
  return candidate as unknown as ConnectorConfig;
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'is invalid';
  if (error.keyword === 'required') return `field "${error.params['missingProperty']}" is required`;
  if (error.keyword === 'additionalProperties') return `unknown field "${error.params['additionalProperty']}"`;
  const field = error.instancePath
    .replace(/^\//, '')
    .replace(/\/(\d+)/g, '[$1]')
    .replace(/\//g, '.');
  const allowed = error.keyword === 'enum' ? ` (${(error.params['allowedValues'] as unknown[]).join(', ')})` : '';
  return `field "${field}" ${error.message}${allowed}`;
}

function label(index: number, name: string): string {
  return `connectors[${index}] ("${name}")`;
}

function configError(problems: string[]): Error {
  return new Error(`Invalid revocation connectors config: ${problems.join('; ')}`);
}
