import { formUrlEncode } from './form-encoding';

export const MAX_BODY_CHARS = 200;
const REDACTED = '[redacted]';

const CREDENTIAL_SCHEMES = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;
const JWT_LIKE = /\beyJ[\w-]*\.[\w-]*(\.[\w-]*)?/g;
const NAMED_SECRET = /\b(access_token|refresh_token|id_token|token|client_secret|secret|password|assertion)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi;
// Long runs mixing letters and digits look like opaque tokens, keys or signatures.
const OPAQUE_RUN = /[A-Za-z0-9+/_\-.~=]{20,}/g;

/**
 * A response body cut down to something safe to store in a receipt or log: the known secrets and anything
 * token-like removed, control characters flattened, at most 200 characters.
 */
export function safeSnippet(body: string, secrets: readonly string[]): string {
  let text = body;
  for (const variant of secretVariants(secrets)) text = text.split(variant).join(REDACTED);
  text = text
    .replace(CREDENTIAL_SCHEMES, `$1 ${REDACTED}`)
    .replace(JWT_LIKE, REDACTED)
    .replace(NAMED_SECRET, `$1$2${REDACTED}`)
    .replace(OPAQUE_RUN, (run) => (/[0-9]/.test(run) && /[A-Za-z]/.test(run) ? REDACTED : run))
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}…` : text;
}

/** "what: HTTP 503: body snippet". */
export function describeResponse(what: string, status: number, body: string, secrets: readonly string[]): string {
  const snippet = safeSnippet(body, secrets);
  return snippet ? `${what}: HTTP ${status}: ${snippet}` : `${what}: HTTP ${status}`;
}

// A receiver may echo a secret back encoded as it was sent: form-encoded, percent-encoded or JSON-escaped.
function secretVariants(secrets: readonly string[]): string[] {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    variants.add(secret);
    variants.add(formUrlEncode(secret));
    variants.add(encodeURIComponent(secret));
    variants.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so that a secret containing another is removed whole.
  return [...variants].sort((a, b) => b.length - a.length);
}
