import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One span as a service exported it, flattened from OTLP's resource/scope nesting. */
export interface ExportedSpan {
  /** `service.name` of the exporting resource. */
  service: string;
  /** Lowercase hex, 32 characters. */
  traceId: string;
  spanId: string;
  /** Absent for a trace's root span. */
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, string | number | boolean>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

export const OTLP_SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

type AnyValue = { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean };
interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: Array<{ key: string; value: AnyValue }>;
  status?: { code?: number };
}
interface OtlpJsonRequest {
  resourceSpans?: Array<{ resource?: { attributes?: Array<{ key: string; value: AnyValue }> }; scopeSpans?: Array<{ spans?: OtlpJsonSpan[] }> }>;
}

function valueOf(value: AnyValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return JSON.stringify(value);
}

function attributesOf(list: Array<{ key: string; value: AnyValue }> | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));
}

/**
 * A real OTLP/HTTP trace receiver on 127.0.0.1 (what an OpenTelemetry Collector's otlphttp receiver is to the
 * services): point OTEL_EXPORTER_OTLP_ENDPOINT at `endpoint` and read what they exported. It takes the OTLP JSON
 * encoding, which @opentelemetry/exporter-trace-otlp-http sends (Content-Type application/json, ids in hex);
 * anything else is answered 415 and counted in `refused`, so a change of exporter fails a test instead of
 * silently losing spans.
 */
export class OtlpTraceReceiver {
  readonly spans: ExportedSpan[] = [];
  /** Requests that were not OTLP JSON trace exports, as "METHOD path content-type". */
  readonly refused: string[] = [];
  private server?: Server;

  /** Base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it (the exporter appends /v1/traces). */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const accepted = this.accept(req, Buffer.concat(chunks));
        res.writeHead(accepted ? 200 : 415, { 'content-type': 'application/json' });
        res.end(accepted ? '{}' : '{"error":"only OTLP/HTTP JSON trace exports are accepted"}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Every span of the trace received so far. */
  trace(traceId: string): ExportedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  private accept(req: IncomingMessage, raw: Buffer): boolean {
    const contentType = String(req.headers['content-type'] ?? '');
    if (req.method !== 'POST' || req.url !== '/v1/traces' || !contentType.startsWith('application/json')) {
      this.refused.push(`${req.method} ${req.url} ${contentType}`);
      return false;
    }
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    const request = JSON.parse(body.toString('utf8')) as OtlpJsonRequest;
    for (const resourceSpans of request.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
            name: span.name,
            kind: span.kind ?? 0,
            startTimeUnixNano: BigInt(span.startTimeUnixNano),
            endTimeUnixNano: BigInt(span.endTimeUnixNano),
            attributes: attributesOf(span.attributes),
            statusCode: span.status?.code ?? 0,
          });
        }
      }
    }
    return true;
  }
}
