import { STATUS_CODES } from 'http';

import { HttpException } from '@nestjs/common';

import { DomainError, ProblemFieldError } from './domain-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'urn:agentgov:problem:';
export const INTERNAL_ERROR_DETAIL = 'An unexpected error occurred. It has been logged.';

/** RFC 9457 problem details, plus our stable `code` and optional field `errors`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: ProblemFieldError[];
}

export function problemType(code: string): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replace(/_/g, '-');
}

function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

function statusCode(status: number): string {
  return statusTitle(status)
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

function toFieldErrors(value: unknown): ProblemFieldError[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((item) =>
    typeof item === 'string'
      ? { detail: item }
      : {
          ...(typeof item?.pointer === 'string' ? { pointer: item.pointer } : {}),
          detail: String(item?.detail ?? item?.message ?? item),
        },
  );
}

/**
 * Maps an error to problem details. Returns `undefined` for anything that is not a DomainError or an
 * HttpException: such errors are bugs, and the caller answers 500 without revealing them.
 */
export function toProblemDetails(error: unknown, instance: string): ProblemDetails | undefined {
  if (error instanceof DomainError) {
    return {
      type: problemType(error.code),
      title: error.title,
      status: error.status,
      detail: error.message,
      instance,
      code: error.code,
      ...(error.errors?.length ? { errors: [...error.errors] } : {}),
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const code = typeof fields['code'] === 'string' ? fields['code'] : statusCode(status);
    // Nest's built-in exceptions put validation messages in an array under `message`.
    const messages = Array.isArray(fields['message']) ? fields['message'] : undefined;
    const errors = toFieldErrors(fields['errors'] ?? messages);
    const detail =
      typeof body === 'string'
        ? body
        : typeof fields['detail'] === 'string'
          ? fields['detail']
          : typeof fields['message'] === 'string'
            ? fields['message']
            : messages
              ? 'The request is invalid.'
              : error.message;
    return {
      type: typeof fields['type'] === 'string' ? fields['type'] : typeof fields['code'] === 'string' ? problemType(code) : 'about:blank',
      title: typeof fields['title'] === 'string' ? fields['title'] : statusTitle(status),
      status,
      detail,
      instance,
      code,
      ...(errors ? { errors } : {}),
    };
  }
  // The body parser's own refusals (http-errors, `expose` on client errors): a body too large, an unsupported
  // charset or encoding. Their message is meant for the client.
  if (isExposedClientError(error)) {
    return { type: 'about:blank', title: statusTitle(error.status), status: error.status, detail: error.message, instance, code: statusCode(error.status) };
  }
  return undefined;
}

function isExposedClientError(error: unknown): error is { status: number; message: string } {
  const e = error as { expose?: unknown; status?: unknown; message?: unknown } | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.expose === true &&
    typeof e.message === 'string' &&
    Number.isInteger(e.status) &&
    (e.status as number) >= 400 &&
    (e.status as number) < 500
  );
}

export function internalErrorProblem(instance: string): ProblemDetails {
  return {
    type: 'about:blank',
    title: statusTitle(500),
    status: 500,
    detail: INTERNAL_ERROR_DETAIL,
    instance,
    code: 'INTERNAL_ERROR',
  };
}
