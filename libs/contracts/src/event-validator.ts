import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import cloudEventHeadersSchema from './headers/cloudevent-headers.schema.json';
import dlqHeadersSchema from './headers/dlq-headers.schema.json';
import { isRfc3339DateTime } from './rfc3339-date-time';
import { TOPIC_CATALOG, TOPIC_NAMES, TopicName, TopicPayloads } from './topic-catalog';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; error: string };

interface ValidatorRegistry {
  events: Map<TopicName, ValidateFunction>;
  cloudEventHeaders: ValidateFunction;
  dlqHeaders: ValidateFunction;
}

let registry: ValidatorRegistry | undefined;

/**
 * Compiles every contract schema once and caches the validators. Called lazily by the validate functions;
 * call it at boot to fail fast on a broken schema and keep compilation off the first message's path.
 */
export function compileContractValidators(): void {
  registryOf();
}

function registryOf(): ValidatorRegistry {
  if (registry) return registry;
  const ajv = new Ajv({ allErrors: false, strict: true, coerceTypes: false, useDefaults: false, removeAdditional: false });
  addFormats(ajv);
  // Same decisions as ajv-formats' date-time, faster on the common shape (every event carries one or more).
  ajv.addFormat('date-time', { type: 'string', validate: isRfc3339DateTime });
  const events = new Map<TopicName, ValidateFunction>();
  for (const topic of TOPIC_NAMES) events.set(topic, ajv.compile(TOPIC_CATALOG[topic].schema));
  registry = {
    events,
    cloudEventHeaders: ajv.compile(cloudEventHeadersSchema),
    dlqHeaders: ajv.compile(dlqHeadersSchema),
  };
  return registry;
}

/** The compiled validator of a topic; the same function instance on every call. */
export function getEventValidator(topic: TopicName): ValidateFunction {
  const validate = registryOf().events.get(topic);
  if (!validate) throw new Error(`unknown topic "${String(topic).slice(0, 100)}"`);
  return validate;
}

export function validateEvent<T extends TopicName>(topic: T, data: unknown): ValidationResult<TopicPayloads[T]> {
  return run<TopicPayloads[T]>(getEventValidator(topic), data);
}

/** Checks Kafka headers (already decoded to strings) against the CloudEvents binary-mode envelope. */
export function validateCloudEventHeaders(headers: Record<string, string>): ValidationResult<Record<string, string>> {
  return run(registryOf().cloudEventHeaders, headers);
}

/** Checks the headers a DLQ message must carry. */
export function validateDlqHeaders(headers: Record<string, string>): ValidationResult<Record<string, string>> {
  return run(registryOf().dlqHeaders, headers);
}

/** The message key of an event: the value of its topic's key field. */
export function eventKey<T extends TopicName>(topic: T, data: TopicPayloads[T]): string {
  const { keyField } = TOPIC_CATALOG[topic];
  const key = (data as unknown as Record<string, unknown>)[keyField];
  if (typeof key !== 'string' || key.length === 0) {
    throw new Error(`${topic} event has no ${keyField} to key the message by`);
  }
  return key;
}

function run<T>(validate: ValidateFunction, data: unknown): ValidationResult<T> {
  try {
    if (validate(data)) return { ok: true, value: data as T };
    return { ok: false, error: formatValidationErrors(validate.errors ?? []) };
  } catch (error) {
    // A hostile, absurdly nested document can exhaust the stack inside the validator: refuse it, do not crash.
    return { ok: false, error: `(root): cannot be validated (${(error as Error).name})` };
  }
}

const MAX_SEGMENT = 64;

/** One line naming the field path and the rule; the deepest error is the most specific one. */
export function formatValidationErrors(errors: ErrorObject[]): string {
  if (errors.length === 0) return '(root): invalid';
  const error = errors.reduce((deepest, candidate) => (pathOf(candidate).length > pathOf(deepest).length ? candidate : deepest));
  return `${pathOf(error) || '(root)'}: ${messageOf(error)} (${error.keyword})`;
}

function pathOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const child = error.keyword === 'required' ? params.missingProperty : error.keyword === 'additionalProperties' ? params.additionalProperty : undefined;
  const path = typeof child === 'string' ? `${error.instancePath}/${escapePointer(child)}` : error.instancePath;
  return path
    .split('/')
    .map((segment) => (segment.length > MAX_SEGMENT ? `${segment.slice(0, MAX_SEGMENT)}…` : segment))
    .join('/');
}

function messageOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not allowed';
    case 'false schema':
      return 'is not allowed here';
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return error.message ?? 'is invalid';
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
