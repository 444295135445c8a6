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

/** One bound on a token's scopes, named for the refusal that exceeding it gives. */
export interface ScopeCeiling {
  scopes: Iterable<string>;
  /** What the bound is, as the error description says it: "the subject token's scope", "the resource's scopes"... */
  what: string;
}

/**
 * The scopes of a token that must stay within several bounds at once (an exchanged token: the subject token's scope,
 * the acting agent's own grant, what the resource offers). Asked-for scopes must lie within every bound, the first
 * one exceeded naming the refusal; none asked for gives what every bound allows, in the first bound's order, and
 * refuses when that is nothing, since a token that may do nothing is never what the client wanted.
 */
export function attenuateScopes(requested: string | undefined, ceilings: readonly ScopeCeiling[]): ScopeResolution {
  const bounds = ceilings.map((c) => ({ what: c.what, scopes: [...new Set(c.scopes)] }));
  if (requested === undefined || requested.trim() === '') {
    const [first, ...rest] = bounds;
    const left = (first?.scopes ?? []).filter((s) => rest.every((bound) => bound.scopes.includes(s)));
    if (left.length === 0) return { ok: false, error: 'invalid_scope', description: `No scope lies within ${bounds.map((b) => b.what).join(' and ')}.` };
    return { ok: true, scopes: left };
  }
  const asked = requested.split(' ').filter((s) => s.length > 0);
  if (asked.some((s) => !SCOPE_TOKEN.test(s))) return { ok: false, error: 'invalid_scope', description: 'The scope parameter is malformed.' };
  for (const bound of bounds) {
    if (asked.some((s) => !bound.scopes.includes(s))) {
      return { ok: false, error: 'invalid_scope', description: `The requested scope exceeds ${bound.what}.` };
    }
  }
  return { ok: true, scopes: [...new Set(asked)] };
}
