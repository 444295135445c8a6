// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export type ScopeResolution = { ok: true; scopes: string[] } | { ok: false; error: 'invalid_scope'; description: string };

/**
 * The scopes a token gets: all of the agent's when none are asked for, else exactly those asked, which must
 * all be granted to the agent. Asking for one not granted refuses the request rather than narrowing it.
 */
export function resolveScopes(requested: string | undefined, granted: readonly string[]): ScopeResolution {
  if (requested === undefined || requested.trim() === '') return { ok: true, scopes: [...new Set(granted)] };
  const asked = requested.split(' ').filter((s) => s.length > 0);
  if (asked.some((s) => !SCOPE_TOKEN.test(s))) return { ok: false, error: 'invalid_scope', description: 'The scope parameter is malformed.' };
  const grantedSet = new Set(granted);
  const missing = asked.filter((s) => !grantedSet.has(s));
  if (missing.length > 0) {
    return { ok: false, error: 'invalid_scope', description: 'The requested scope exceeds the scopes granted to the client.' };
  }
  return { ok: true, scopes: [...new Set(asked)] };
}
