import { CommandFailure } from '../cli.errors';
import type { StoredCredentials } from './credentials-store';

type Fetch = typeof fetch;

/** The endpoints of an OpenID issuer that the device flow needs, from its discovery document. */
export interface IssuerEndpoints {
  issuer: string;
  tokenEndpoint: string;
  /** Absent only when discovery was asked not to require it (sign-out). */
  deviceAuthorizationEndpoint?: string;
  /** RFC 7009, when the issuer offers it. */
  revocationEndpoint?: string;
}

/** What the operator must do in a browser: open the page and enter the code (or open the complete URL). */
export interface DeviceCodePrompt {
  verificationUri: string;
  verificationUriComplete?: string;
  userCode: string;
  expiresAt: Date;
}

export interface DeviceLoginOptions {
  issuer: string;
  clientId: string;
  scope: string;
  /** Told the code as soon as the issuer gives it. */
  onPrompt(prompt: DeviceCodePrompt): void;
  fetch?: Fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TIMEOUT_MS = 15_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Tokens travel to these endpoints: TLS, except on this machine (a local Keycloak). */
function secureEndpoint(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new CommandFailure(`the issuer's discovery document has no ${what}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CommandFailure(`the issuer's ${what} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new CommandFailure(`the issuer's ${what} (${value}) is not https: tokens would cross the network unencrypted`);
  }
  return value;
}

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  try {
    const body = await response.json();
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function post(fetchImpl: Fetch, url: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new CommandFailure(`cannot reach the issuer at ${url} (${networkReason(error)})`);
  }
  return { status: response.status, body: await jsonOf(response) };
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}

/** An OAuth error answer in words: its `error` code and the issuer's own description. */
function oauthError(body: Record<string, unknown>, status: number): string {
  const code = typeof body['error'] === 'string' ? body['error'] : `HTTP ${status}`;
  return typeof body['error_description'] === 'string' ? `${code}: ${body['error_description']}` : code;
}

/**
 * The issuer's discovery document (OpenID Connect Discovery 1.0 §4), which must name the same issuer (§4.3) and,
 * for signing in, offer the device authorization endpoint (RFC 8628 §4).
 */
export async function discoverIssuer(issuer: string, fetchImpl: Fetch = fetch, forSignIn = true): Promise<IssuerEndpoints> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new CommandFailure(`cannot reach the issuer at ${url} (${networkReason(error)})`);
  }
  if (!response.ok) throw new CommandFailure(`the issuer's discovery document at ${url} answered ${response.status}: is ${issuer} the issuer?`);
  const document = await jsonOf(response);
  if (document['issuer'] !== issuer) throw new CommandFailure(`the discovery document at ${url} names another issuer (${String(document['issuer'])})`);
  if (forSignIn && document['device_authorization_endpoint'] === undefined) {
    throw new CommandFailure(`the issuer ${issuer} does not offer the device authorization grant (RFC 8628), which agentgov login uses`);
  }
  const optional = (name: string) => (document[name] === undefined ? undefined : secureEndpoint(document[name], name));
  const deviceAuthorizationEndpoint = optional('device_authorization_endpoint');
  const revocationEndpoint = optional('revocation_endpoint');
  return {
    issuer,
    tokenEndpoint: secureEndpoint(document['token_endpoint'], 'token_endpoint'),
    ...(deviceAuthorizationEndpoint ? { deviceAuthorizationEndpoint } : {}),
    ...(revocationEndpoint ? { revocationEndpoint } : {}),
  };
}

function credentialsOf(
  body: Record<string, unknown>,
  origin: Pick<IssuerEndpoints, 'issuer' | 'tokenEndpoint'>,
  clientId: string,
  now: number,
  previous?: StoredCredentials,
): StoredCredentials {
  const accessToken = body['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') throw new CommandFailure('the issuer answered without an access token');
  const tokenType = typeof body['token_type'] === 'string' ? body['token_type'] : 'Bearer';
  if (tokenType.toLowerCase() !== 'bearer') throw new CommandFailure(`the issuer gave a ${tokenType} token; the agentgov APIs take bearer tokens`);
  const refreshToken = typeof body['refresh_token'] === 'string' ? body['refresh_token'] : previous?.refreshToken;
  const expiresIn = typeof body['expires_in'] === 'number' ? body['expires_in'] : undefined;
  return {
    issuer: origin.issuer,
    clientId,
    tokenEndpoint: origin.tokenEndpoint,
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    ...(expiresIn !== undefined ? { expiresAt: new Date(now + expiresIn * 1000).toISOString() } : {}),
  };
}

/**
 * Signs in with the OAuth 2.0 Device Authorization Grant (RFC 8628) as a public client: asks the issuer for a code,
 * hands it to `onPrompt`, then polls the token endpoint at the issuer's interval (5 s more after each slow_down,
 * §3.5) until the operator has signed in, refused, or the code expired.
 */
export async function deviceLogin(options: DeviceLoginOptions): Promise<StoredCredentials> {
  const fetchImpl = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const endpoints = await discoverIssuer(options.issuer, fetchImpl);
  const { deviceAuthorizationEndpoint } = endpoints;
  if (!deviceAuthorizationEndpoint) throw new CommandFailure(`the issuer ${options.issuer} does not offer the device authorization grant`);

  const authorization = await post(fetchImpl, deviceAuthorizationEndpoint, { client_id: options.clientId, scope: options.scope });
  if (authorization.status !== 200) {
    throw new CommandFailure(
      `the issuer refused to start a device sign-in for client ${options.clientId} (${oauthError(authorization.body, authorization.status)})`,
    );
  }
  const { device_code: deviceCode, user_code: userCode, verification_uri: verificationUri } = authorization.body;
  if (typeof deviceCode !== 'string' || typeof userCode !== 'string' || typeof verificationUri !== 'string') {
    throw new CommandFailure('the issuer answered the device authorization request without a device code, user code or verification URI');
  }
  const expiresIn = typeof authorization.body['expires_in'] === 'number' ? authorization.body['expires_in'] : 600;
  const deadline = now() + expiresIn * 1000;
  let intervalMs = (typeof authorization.body['interval'] === 'number' ? authorization.body['interval'] : 5) * 1000;
  const complete = authorization.body['verification_uri_complete'];
  options.onPrompt({
    verificationUri,
    ...(typeof complete === 'string' ? { verificationUriComplete: complete } : {}),
    userCode,
    expiresAt: new Date(deadline),
  });

  for (;;) {
    if (now() >= deadline) throw new CommandFailure('the sign-in code expired before the sign-in was finished; run agentgov login again');
    await sleep(intervalMs);
    const answer = await post(fetchImpl, endpoints.tokenEndpoint, { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, client_id: options.clientId });
    if (answer.status === 200) return credentialsOf(answer.body, endpoints, options.clientId, now());
    switch (answer.body['error']) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        intervalMs += 5000;
        continue;
      case 'access_denied':
        throw new CommandFailure('the sign-in was refused at the issuer');
      case 'expired_token':
        throw new CommandFailure('the sign-in code expired before the sign-in was finished; run agentgov login again');
      default:
        throw new CommandFailure(`the issuer refused the sign-in (${oauthError(answer.body, answer.status)})`);
    }
  }
}

/** A fresh access token for stored credentials with a refresh token (RFC 6749 §6); the refresh token may rotate. */
export async function refreshCredentials(credentials: StoredCredentials, fetchImpl: Fetch = fetch, now: () => number = Date.now): Promise<StoredCredentials> {
  if (!credentials.refreshToken) throw new CommandFailure('your sign-in expired; run agentgov login');
  const answer = await post(fetchImpl, credentials.tokenEndpoint, {
    grant_type: 'refresh_token',
    refresh_token: credentials.refreshToken,
    client_id: credentials.clientId,
  });
  if (answer.status !== 200)
    throw new CommandFailure(`your sign-in expired and the issuer would not renew it (${oauthError(answer.body, answer.status)}); run agentgov login`);
  return credentialsOf(answer.body, credentials, credentials.clientId, now(), credentials);
}
