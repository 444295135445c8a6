import { OAuthError } from './credentials.errors';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_basic' | 'client_secret_post';
}

/** A form parameter given at most once (RFC 6749 §3.2: parameters must not be repeated). */
export function formParam(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `The ${name} parameter must be given once, as a string.`);
  return value;
}

/** A form parameter that may be repeated (RFC 8707's resource): every value, each a string. */
export function formParams(body: Record<string, unknown>, name: string): string[] {
  const value = body[name];
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  if (values.some((v) => typeof v !== 'string')) throw new OAuthError('invalid_request', `Each ${name} parameter must be a string.`);
  return values as string[];
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/**
 * Client authentication of RFC 6749 §2.3.1: HTTP Basic with the form-encoded id and secret, or both in the
 * body. Using both methods at once is refused; so is using none.
 */
export function clientCredentialsFrom(authorization: string | undefined, body: Record<string, unknown>): ClientCredentials {
  const postId = formParam(body, 'client_id');
  const postSecret = formParam(body, 'client_secret');
  if (authorization !== undefined && /^basic /i.test(authorization.trim())) {
    if (postSecret !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method, not two.');
    const decoded = Buffer.from(authorization.trim().slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'Client authentication failed.');
    let clientId: string;
    let clientSecret: string;
    try {
      clientId = formDecode(decoded.slice(0, colon));
      clientSecret = formDecode(decoded.slice(colon + 1));
    } catch {
      throw new OAuthError('invalid_client', 'Client authentication failed.');
    }
    if (postId !== undefined && postId !== clientId) throw new OAuthError('invalid_request', 'client_id does not match the authenticated client.');
    return { clientId, clientSecret, method: 'client_secret_basic' };
  }
  if (postId !== undefined && postSecret !== undefined) return { clientId: postId, clientSecret: postSecret, method: 'client_secret_post' };
  throw new OAuthError('invalid_client', 'Client authentication failed.');
}
