import Ajv, { ErrorObject, JSONSchemaType, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { DomainError } from '../problem/domain-error';

const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: true });
addFormats(ajv);

export class RequestValidationError extends DomainError {
  constructor(errors: { pointer: string; detail: string }[], what: string) {
    super({
      code: 'INVALID_REQUEST',
      status: 400,
      title: 'The request is not valid',
      detail: `${what}: ${errors.map((e) => `${e.pointer || '/'} ${e.detail}`).join('; ')}`.slice(0, 1000),
      errors,
    });
  }
}

function describe(error: ErrorObject): { pointer: string; detail: string } {
  if (error.keyword === 'required') {
    return { pointer: `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`, detail: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    return { pointer: `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`, detail: 'is not allowed' };
  }
  return { pointer: error.instancePath, detail: error.message ?? error.keyword };
}

/**
 * A validator for request bodies or query strings, compiled once. Returns the typed value or throws a 400
 * problem that names every offending member by JSON Pointer.
 */
export function createRequestValidator<T>(schema: JSONSchemaType<T> | Record<string, unknown>, what = 'request body'): (input: unknown) => T {
  const validate = ajv.compile(schema) as ValidateFunction<T>;
  return (input: unknown) => {
    if (validate(input)) return input;
    throw new RequestValidationError((validate.errors ?? []).slice(0, 20).map(describe), what);
  };
}
