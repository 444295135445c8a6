import { request as httpRequest, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { PROBLEM_CONTENT_TYPE, SERVICE_ENV, toProblemDetails } from '@agentgov/service-runtime';

import { ConsoleEnv } from '../config/console.env';
import { ProxyError, ProxyErrorCode } from './proxy.errors';
import { upstreamUrls } from './upstreams';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
/** What of the browser's request reaches a service: its token and what describes the body, never its cookies. */
const REQUEST_HEADERS = ['authorization', 'accept', 'content-type', 'if-match', 'if-none-match', 'last-event-id', 'traceparent', 'tracestate'];
/** What of a service's answer reaches the browser. */
const RESPONSE_HEADERS = ['content-type', 'cache-control', 'www-authenticate', 'retry-after', 'location', 'etag', 'x-accel-buffering'];
/**
 * A service that sends nothing for this long is given up (504 before its answer starts, the connection closed after).
 * Live streams send a heartbeat every 15 s by default, well within it.
 */
const IDLE_TIMEOUT_MS = 60_000;

export interface ProxiedRequest {
  method: string;
  originalUrl: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
  once(event: 'close', listener: () => void): unknown;
}

export interface ProxiedResponse {
  headersSent: boolean;
  writableEnded: boolean;
  statusCode: number;
  setHeader(name: string, value: string | string[]): unknown;
  flushHeaders(): void;
  end(body?: string): unknown;
  destroy(): unknown;
  on(event: 'close', listener: () => void): unknown;
}

/**
 * The console's same-origin door to the four services: `/api/<service>/<path>` is forwarded to that service's
 * `/<path>` with the caller's bearer token, and the answer streamed back as it comes (a live incident stream stays
 * open). Nothing else is forwarded: no other host, no other method, no body but JSON, no cookie. It never logs a
 * header; a failure is logged by service, method and path.
 */
@Injectable()
export class ApiProxy {
  private readonly logger = new Logger('ApiProxy');
  private readonly upstreams: ReadonlyMap<string, string>;

  constructor(@Inject(SERVICE_ENV) env: ConsoleEnv) {
    this.upstreams = upstreamUrls(env);
  }

  /** Throws a ProxyError (answered as problem details) when the request is not one it forwards. */
  forward(service: string, request: ProxiedRequest, response: ProxiedResponse): void {
    const base = this.upstreams.get(service);
    if (!base) throw new ProxyError(ProxyErrorCode.UnknownService, `the console forwards to ${[...this.upstreams.keys()].join(', ')}`);
    if (!METHODS.has(request.method)) throw new ProxyError(ProxyErrorCode.MethodNotForwarded, `${request.method} is not forwarded`);
    const path = request.originalUrl.slice(`/api/${service}`.length);
    const pathname = path.split('?')[0];
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      throw new ProxyError(ProxyErrorCode.PathNotForwarded, 'the path is not valid percent-encoding');
    }
    // The path is relative to the service, and stays there.
    if (!pathname.startsWith('/') || pathname.startsWith('//') || /(^|\/)\.\.?(\/|$)/.test(decoded) || /[\\\0]/.test(decoded)) {
      throw new ProxyError(ProxyErrorCode.PathNotForwarded, 'the path must stay within the service');
    }
    let body: string | undefined;
    if (WITH_BODY.has(request.method) && request.body !== undefined) {
      if (!/^application\/json(;|$)/i.test(String(request.headers['content-type'] ?? ''))) {
        throw new ProxyError(ProxyErrorCode.BodyNotForwarded, 'send the body as application/json');
      }
      // Parsed by the console's JSON parser already (and refused there if it was not JSON); sent on as JSON.
      body = JSON.stringify(request.body);
    }

    const headers: OutgoingHttpHeaders = {};
    for (const name of REQUEST_HEADERS) if (request.headers[name] !== undefined) headers[name] = request.headers[name];
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const url = new URL(base + path);
    const upstream = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: request.method, headers, timeout: IDLE_TIMEOUT_MS });
    const where = `${request.method} ${service} ${pathname}`;

    let answered = false;
    upstream.on('response', (answer: IncomingMessage) => {
      answer.on('end', () => (answered = true));
      response.statusCode = answer.statusCode ?? 502;
      for (const name of RESPONSE_HEADERS) {
        const value = answer.headers[name];
        if (value !== undefined) response.setHeader(name, value);
      }
      // A stream's events must reach the browser as they come, not when a buffer fills.
      if (String(answer.headers['content-type'] ?? '').startsWith('text/event-stream')) response.flushHeaders();
      answer.pipe(response as unknown as NodeJS.WritableStream);
      answer.on('error', () => response.destroy());
    });
    upstream.on('timeout', () => upstream.destroy(new ProxyError(ProxyErrorCode.ServiceTimeout, `${service} sent nothing for ${IDLE_TIMEOUT_MS / 1000} s`)));
    upstream.on('error', (error) => {
      const failure =
        error instanceof ProxyError
          ? error
          : new ProxyError(ProxyErrorCode.ServiceUnreachable, `${service} cannot be reached (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      if (!response.writableEnded) this.logger.warn(`${where}: ${failure.message}`);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const problem = toProblemDetails(failure, request.originalUrl.split('?')[0]) as object;
      response.statusCode = failure.status;
      response.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
      response.end(JSON.stringify(problem));
    });
    // The browser went away (a page left, a stream closed): so does the request to the service.
    response.on('close', () => {
      if (!answered && !upstream.destroyed) upstream.destroy();
    });
    upstream.end(body);
  }
}
