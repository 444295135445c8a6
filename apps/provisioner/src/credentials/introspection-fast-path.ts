import { IncomingMessage, Server, ServerResponse } from 'node:http';

import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import { assertAnyRole, AuthError, AuthErrorCode, AuthHttpException, TOKEN_VERIFIER, TokenVerifier } from '@agentgov/auth';
import { getMeter } from '@agentgov/telemetry';

import { IntrospectTokenUseCase } from './introspect-token.usecase';

const PATH = '/oauth2/introspect';
const MAX_BODY_BYTES = 16 * 1024;
const MAX_TOKEN_LENGTH = 8192;
/** Who may introspect, here and on the controller (OpenAPI documents it): one list for both. */
export const INTROSPECTION_ROLES = ['admin', 'introspect', 'soc-analyst'] as const;

/**
 * Introspection is every resource server's hot path (target: p99 < 5 ms at 2,000 req/s on two cores). Express
 * and Nest's router, guards and interceptors cost several times what introspecting does, so POST
 * /oauth2/introspect is answered straight from the HTTP server's request event; everything else goes on to
 * Express as before. It applies the same checks: a platform bearer token with one of the roles the
 * controller declares, the same body formats (form or JSON) and limits. OAuthController.introspection
 * documents the endpoint in OpenAPI and would serve it if this were not installed.
 */
@Injectable()
export class IntrospectionFastPath implements OnApplicationBootstrap {
  private readonly duration = getMeter('@agentgov/service-runtime').createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'Duration of HTTP server requests.',
  });

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(TOKEN_VERIFIER) private readonly verify: TokenVerifier,
    private readonly introspect: IntrospectTokenUseCase,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    const others = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'POST' && (req.url === PATH || req.url?.startsWith(`${PATH}?`))) return void this.handle(req, res);
      for (const listener of others) listener.call(server, req, res);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    res.once('finish', () =>
      this.duration.record(Number(process.hrtime.bigint() - started) / 1e9, {
        'http.request.method': 'POST',
        'http.route': PATH,
        'http.response.status_code': res.statusCode,
      }),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    try {
      const authorization = req.headers.authorization;
      assertAnyRole(await this.verify(authorization), INTROSPECTION_ROLES);
    } catch (error) {
      req.resume();
      const auth = error instanceof AuthError ? error : new AuthError(AuthErrorCode.InvalidSignature, 'The bearer token is not valid.');
      // The same answer as the guard's on every other route: problem details with the AUTH_* code, and the
      // RFC 6750 challenge (none with an error code when no credentials came, insufficient_scope for a 403).
      const refusal = new AuthHttpException(auth);
      if (refusal.wwwAuthenticate) res.setHeader('WWW-Authenticate', refusal.wwwAuthenticate);
      return send(res, refusal.getStatus(), { ...refusal.getResponse(), instance: PATH }, 'application/problem+json');
    }
    let token: string | undefined;
    try {
      token = parseToken(req.headers['content-type'], await readBody(req));
    } catch (error) {
      const status = (error as BodyError).status ?? 400;
      if (status === 413) res.setHeader('Connection', 'close');
      return send(res, status, { error: 'invalid_request', error_description: (error as Error).message });
    }
    if (!token) return send(res, 400, { error: 'invalid_request', error_description: 'The token parameter is required.' });
    if (token.length > MAX_TOKEN_LENGTH) return send(res, 200, { active: false });
    try {
      send(res, 200, await this.introspect.execute(token));
    } catch {
      send(res, 500, { error: 'server_error', error_description: 'Introspection failed; try again.' });
    }
  }
}

class BodyError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      // Stop keeping it, let the rest drain, and answer: a reset socket would hide the reason from the client.
      req.off('data', onData);
      req.resume();
      reject(new BodyError(`The body is larger than ${MAX_BODY_BYTES} bytes.`, 413));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseToken(contentType: string | undefined, body: string): string | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams(body);
    if (params.getAll('token').length > 1) throw new BodyError('The token parameter is repeated.', 400);
    return params.get('token') ?? undefined;
  }
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new BodyError('The body is not valid JSON.', 400);
    }
    const token = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>).token : undefined;
    return typeof token === 'string' ? token : undefined;
  }
  throw new BodyError('The body must be application/x-www-form-urlencoded or application/json.', 415);
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', `${contentType}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}
