import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

/**
 * A real OAuth 2.0 authorization server (oidc-provider, from the npm registry) for integration tests:
 * client_credentials grant, RFC 7009 revocation and RFC 7662 introspection, opaque access tokens kept in
 * memory. oidc-provider is ESM-only, which jest cannot load here, so it runs as a child process
 * (server.mjs) and is spoken to over HTTP only.
 *
 * Every client is a confidential client authenticating with client_secret_basic at the token, revocation
 * and introspection endpoints. Any client may introspect any token. A client may revoke its own tokens;
 * only clients with `canRevokeAnyToken: true` (the containment service) may revoke other clients' tokens —
 * anyone else gets 400 invalid_request, as with oidc-provider's default policy.
 */

export interface RealOAuthClient {
  clientId: string;
  clientSecret: string;
  /** May revoke (RFC 7009) tokens issued to any client, not only its own. Default false. */
  canRevokeAnyToken?: boolean;
}

export interface RealOAuthServerOptions {
  clients: RealOAuthClient[];
  /** Scopes the server knows and every client may request. Unknown requested scopes are dropped. Default none. */
  scopes?: string[];
  /** Lifetime of client_credentials access tokens. Default 600. */
  accessTokenTtlSeconds?: number;
  /** How long to wait for the server to report that it listens. Default 15000. */
  startupTimeoutMs?: number;
}

export interface ClientCredentialsTokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

export interface IntrospectionResponse {
  active: boolean;
  client_id?: string;
  scope?: string;
  exp?: number;
  iat?: number;
  iss?: string;
  token_type?: string;
  [claim: string]: unknown;
}

export interface RealOAuthServer {
  /** http://127.0.0.1:<port> */
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly revocationEndpoint: string;
  readonly introspectionEndpoint: string;
  /** Obtains an access token with the client_credentials grant; throws on a non-200 answer. */
  clientCredentialsToken(clientId: string, clientSecret: string, scope?: string): Promise<ClientCredentialsTokenResponse>;
  /** RFC 7662 introspection of `token`, authenticated as `asClient`; throws on a non-200 answer. */
  introspect(token: string, asClient: { clientId: string; clientSecret: string }): Promise<IntrospectionResponse>;
  /** Everything the server wrote to stderr so far (library warnings, server errors). */
  stderr(): string;
  /** Stops the server and waits for the process to exit. Safe to call more than once. */
  stop(): Promise<void>;
}

const SERVER_SCRIPT = path.join(__dirname, 'server.mjs');
const DEFAULT_STARTUP_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/** client_secret_basic as RFC 6749 §2.3.1 defines it: both parts form-urlencoded, then base64. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export async function startRealOAuthServer(options: RealOAuthServerOptions): Promise<RealOAuthServer> {
  if (options.clients.length === 0) throw new Error('startRealOAuthServer: at least one client is needed');
  const config = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      can_revoke_any_token: c.canRevokeAnyToken === true,
    })),
    scopes: options.scopes ?? [],
    access_token_ttl_seconds: options.accessTokenTtlSeconds ?? 600,
  };

  const child = spawn(process.execPath, [SERVER_SCRIPT], {
    env: { ...process.env, OAUTH_SERVER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // 'close' rather than 'exit': it comes once the process has exited and its stdio is drained.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  let issuer: string;
  try {
    issuer = await waitForReady(child, options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS, () => stderr);
  } catch (error) {
    await killAndWait(child, exited);
    throw error;
  }

  const stop = () => killAndWait(child, exited);
  try {
    const discovery = await fetchJson(`${issuer}/.well-known/openid-configuration`, { method: 'GET' }, 'discovery');
    const endpoint = (name: string): string => {
      const value = discovery[name];
      if (typeof value !== 'string') throw new Error(`real OAuth server: discovery document has no ${name}`);
      return value;
    };
    const tokenEndpoint = endpoint('token_endpoint');
    const revocationEndpoint = endpoint('revocation_endpoint');
    const introspectionEndpoint = endpoint('introspection_endpoint');

    return {
      issuer,
      tokenEndpoint,
      revocationEndpoint,
      introspectionEndpoint,
      async clientCredentialsToken(clientId, clientSecret, scope) {
        const body = new URLSearchParams({ grant_type: 'client_credentials' });
        if (scope !== undefined) body.set('scope', scope);
        const response = await fetchJson(tokenEndpoint, formPost(body, clientId, clientSecret), `client_credentials token for ${clientId}`);
        if (typeof response.access_token !== 'string') {
          throw new Error(`real OAuth server: token response without access_token: ${JSON.stringify(response)}`);
        }
        return response as unknown as ClientCredentialsTokenResponse;
      },
      async introspect(token, asClient) {
        const body = new URLSearchParams({ token, token_type_hint: 'access_token' });
        const response = await fetchJson(introspectionEndpoint, formPost(body, asClient.clientId, asClient.clientSecret), 'introspection');
        if (typeof response.active !== 'boolean') {
          throw new Error(`real OAuth server: introspection response without active: ${JSON.stringify(response)}`);
        }
        return response as IntrospectionResponse;
      },
      stderr: () => stderr,
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- oauth server stderr ---\n${stderr}`);
  }
}

function formPost(body: URLSearchParams, clientId: string, clientSecret: string): RequestInit {
  return {
    method: 'POST',
    headers: {
      authorization: basicAuthorization(clientId, clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: body.toString(),
  };
}

async function fetchJson(url: string, init: RequestInit, what: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`real OAuth server: ${what} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

function waitForReady(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let stdout = '';
    const settle = (error: Error | undefined, issuer?: string) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('close', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else resolve(issuer!);
    };
    const describe = (problem: string) => new Error(`real OAuth server (${SERVER_SCRIPT}) ${problem}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr()}`);

    const onData = (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      try {
        const line = JSON.parse(stdout.slice(0, newline)) as { ready?: unknown; issuer?: unknown };
        if (line.ready === true && typeof line.issuer === 'string') return settle(undefined, line.issuer);
      } catch {
        // reported below
      }
      settle(describe('printed an unexpected first line'));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => settle(describe(`exited before it was ready (code ${code}, signal ${signal})`));
    const onError = (error: Error) => settle(describe(`could not be started: ${error.message}`));
    const timer = setTimeout(() => settle(describe(`did not report ready within ${timeoutMs} ms`)), timeoutMs);

    child.stdout!.setEncoding('utf8').on('data', onData);
    child.once('close', onExit);
    child.once('error', onError);
  });
}

async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  // pid is undefined when the process could not be spawned at all: there is nothing to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
