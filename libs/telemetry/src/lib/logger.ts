import { hostname } from 'node:os';

import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { DestinationStream, Level, Logger, stdSerializers } from 'pino';

import { REDACTED, redactSecrets, scrubSecrets, SECRET_KEYS } from './secret-scrubber';

export type { Logger } from 'pino';
export type LogLevel = Level | 'silent';

export interface LoggerOptions {
  serviceName: string;
  level?: LogLevel;
  /** Where JSON lines go; defaults to stdout. */
  destination?: DestinationStream;
  /** Extra key paths to redact, in pino `redact` syntax. */
  redactPaths?: string[];
}

// Each leading-wildcard path costs pino about a microsecond a line, so `redact` holds top-level names, a few
// wildcards and request headers (serializer output); `redactSecrets` covers every depth before serializers.
const WILDCARD_KEYS = ['authorization', 'client_secret', 'cookie', 'password', 'secret', 'token'];
const HEADER_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/** The pino `redact` paths for secret key names. */
export function secretRedactPaths(keys: readonly string[] = SECRET_KEYS): string[] {
  const topLevel = keys.map((key) => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`));
  return [...topLevel, ...WILDCARD_KEYS.map((key) => `*.${key}`), ...HEADER_PATHS];
}

/**
 * JSON lines for one service: each line carries the active span's `trace_id`/`span_id`; secret-named keys
 * are censored at any depth (pino `redact` on serialized output, `redactSecrets` before it), and bearer
 * tokens or JWTs are scrubbed from message text, string fields and errors.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.serviceName, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: (object) => redactSecrets(object) },
      redact: { paths: [...secretRedactPaths(), ...(options.redactPaths ?? [])], censor: REDACTED },
      serializers: { err: serializeError, error: serializeError },
      mixin: traceFields,
      hooks: {
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            const arg = args[i];
            if (typeof arg === 'string') args[i] = scrubSecrets(arg);
            else if (arg instanceof Error) args[i] = scrubbedError(arg);
          }
          return method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

function traceFields(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return redactSecrets({ ...stdSerializers.err(value) });
}

function scrubbedError(error: Error): Error {
  const copy = Object.create(Object.getPrototypeOf(error)) as Error;
  Object.assign(copy, error);
  Object.defineProperty(copy, 'message', { value: scrubSecrets(error.message), enumerable: false, writable: true });
  Object.defineProperty(copy, 'stack', {
    value: error.stack ? scrubSecrets(error.stack) : undefined,
    enumerable: false,
    writable: true,
  });
  return copy;
}
