export const REDACTED = '[REDACTED]';

// Key names whose values are secrets wherever they appear in a logged object.
export const SECRET_KEYS: readonly string[] = [
  'access_token',
  'accessToken',
  'api_key',
  'apiKey',
  'authorization',
  'Authorization',
  'client_assertion',
  'client_secret',
  'clientSecret',
  'cookie',
  'Cookie',
  'id_token',
  'passwd',
  'password',
  'private_key',
  'privateKey',
  'refresh_token',
  'refreshToken',
  'secret',
  'set-cookie',
  'token',
  'x-api-key',
];

/**
 * Beyond the names above, any key that says what it holds: `githubToken`, `webhook_secret`, `dbPassword`,
 * `authorizationHeader`, `x-api-key`... (over-redacting a counter named like a secret costs a log field; missing a
 * secret leaks it). And `d`, the private part of a JWK, in any object with a `kty`.
 */
const SECRET_KEY_PATTERN = /token|secret|passw|authori[sz]ation|api[-_]?key|private[-_]?key|cookie|client[-_]?assertion|credential/i;

function isSecretKey(key: string, holder: Record<string, unknown>): boolean {
  return SECRET_KEY_SET.has(key.toLowerCase()) || SECRET_KEY_PATTERN.test(key) || (key === 'd' && typeof holder['kty'] === 'string');
}

const BEARER = /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi;
// HTTP Basic credentials (base64 of user:password) written into a message or an error.
const BASIC = /\bBasic\s+[A-Za-z0-9+/]{6,}=*/gi;
// A JWS/JWE always starts with a base64url JSON header ("eyJ" is `{"`); the second pattern catches
// other three-part base64url strings, with long parts so that dotted names (topics, hosts) survive.
const JWT_LIKE = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?/g;
const MAYBE_SECRET = /bearer|basic|eyJ|[A-Za-z0-9_-]{16}\./i;
const THREE_PART_BASE64URL = /\b[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\b/g;

const SECRET_KEY_SET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));
const MAX_DEPTH = 8;
const MAX_ARRAY_ITEMS = 200;

/** Replaces bearer and basic credentials and JWT-shaped strings in free text. */
export function scrubSecrets(text: string): string {
  if (text.length < 16 || !MAYBE_SECRET.test(text)) return text;
  return text.replace(BEARER, `Bearer ${REDACTED}`).replace(BASIC, `Basic ${REDACTED}`).replace(JWT_LIKE, REDACTED).replace(THREE_PART_BASE64URL, REDACTED);
}

/**
 * Returns `value` with secret-named keys censored and token-shaped strings scrubbed, at any depth up to 8,
 * in plain objects and arrays. Copies only the branches it changes; other objects (class instances, Buffers)
 * are left to serializers.
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return scrubSecrets(value) as T;
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    const length = Math.min(value.length, MAX_ARRAY_ITEMS);
    for (let i = 0; i < length; i++) {
      const next = redactSecrets(value[i], depth + 1);
      if (next !== value[i]) (copy ??= [...value])[i] = next;
    }
    return (copy ?? value) as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const current = (value as Record<string, unknown>)[key];
    const next = current !== undefined && isSecretKey(key, value as Record<string, unknown>) ? REDACTED : redactSecrets(current, depth + 1);
    if (next !== current) (copy ??= { ...(value as Record<string, unknown>) })[key] = next;
  }
  return (copy ?? value) as T;
}
