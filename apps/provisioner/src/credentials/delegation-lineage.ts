import { JWTPayload } from 'jose';

import { isUuid } from '@agentgov/contracts';

import { actorChain, ActorClaim } from './access-token-claims';
import type { AgentTokenState } from './agent-token-state.cache';
import { revokedByNotBefore } from './token-activity';

/**
 * Private claim of an exchanged token: where its authority comes from, signed with it so that introspection can
 * check every link through the per-agent token-state cache without a database query.
 */
export const LINEAGE_CLAIM = 'lineage';

/** One agent of a delegation chain, the human it answered to, and since when it has held the delegated authority. */
export interface ChainLink {
  agent: string;
  owner: string;
  /** Issue time (ms) of the token through which the agent came to hold the chain's authority. */
  since: number;
}

/** A token the exchanged one derives from, and the agent it was issued to (whose revocations name its jti). */
export interface AncestorToken {
  agent: string;
  jti: string;
}

export interface Lineage {
  /** Root first: the agent nearest the human, then each one it was delegated to; the last is the token's client. */
  agents: ChainLink[];
  /** Oldest first: the client credentials token the chain started from, then each exchanged token after it. */
  tokens: AncestorToken[];
}

/** A bound on the data read back from a signed token, far above any chain TOKEN_EXCHANGE_MAX_CHAIN allows. */
const MAX_LINKS = 64;

/**
 * The token's lineage: undefined when it has none (a client credentials token), null when the claim is there but not
 * in the shape this issuer writes (which it never signs, so such a token is not trusted).
 */
export function readLineage(payload: JWTPayload): Lineage | undefined | null {
  const raw = payload[LINEAGE_CLAIM];
  if (raw === undefined) return undefined;
  if (!raw || typeof raw !== 'object') return null;
  const { agents, tokens } = raw as { agents?: unknown; tokens?: unknown };
  if (!Array.isArray(agents) || !Array.isArray(tokens) || agents.length === 0 || agents.length > MAX_LINKS || tokens.length > MAX_LINKS) return null;
  const links: ChainLink[] = [];
  for (const link of agents as Array<Partial<ChainLink> | null>) {
    if (!link || !isUuid(link.agent) || typeof link.owner !== 'string' || !Number.isSafeInteger(link.since)) return null;
    links.push({ agent: link.agent, owner: link.owner, since: link.since as number });
  }
  const ancestors: AncestorToken[] = [];
  for (const token of tokens as Array<Partial<AncestorToken> | null>) {
    if (!token || !isUuid(token.agent) || typeof token.jti !== 'string') return null;
    ancestors.push({ agent: token.agent, jti: token.jti });
  }
  return { agents: links, tokens: ancestors };
}

/** RFC 8693 §4.1 `act` of a chain: its most recent actor outermost, each earlier one nested inside, the first deepest. */
export function actClaimOf(agents: readonly ChainLink[]): ActorClaim {
  return actorChain(agents.map((link) => link.agent).reverse()) as ActorClaim;
}

/**
 * The agents a client credentials token acts as, root first: the parents its `act` names (a sub-agent acts for its
 * parent chain), then its subject.
 */
export function clientTokenChain(payload: JWTPayload & { sub: string }): string[] {
  const parents: string[] = [];
  let act = payload.act as { sub?: unknown; act?: unknown } | undefined;
  while (act && typeof act === 'object' && typeof act.sub === 'string' && parents.length < MAX_LINKS) {
    parents.push(act.sub);
    act = act.act as typeof act;
  }
  return [...parents.reverse(), payload.sub];
}

export interface SubjectToken {
  lineage: Lineage;
  jti: string;
  /** The agent the subject token was issued to. */
  clientId: string;
  issuedAtMs: number;
}

/**
 * The lineage of a token exchanged from `subject` by `actor`: it derives from the subject token and everything the
 * subject derives from; the actor joins the chain (since the subject token was issued, the earliest it can have held
 * it) unless it is already the chain's last agent (an agent exchanging its own token for another audience or fewer
 * scopes adds no one).
 */
export function extendLineage(subject: SubjectToken, actor: { id: string; ownerId: string }): Lineage {
  const last = subject.lineage.agents[subject.lineage.agents.length - 1];
  const agents =
    last?.agent === actor.id ? subject.lineage.agents : [...subject.lineage.agents, { agent: actor.id, owner: actor.ownerId, since: subject.issuedAtMs }];
  return { agents, tokens: [...subject.lineage.tokens, { agent: subject.clientId, jti: subject.jti }] };
}

/** Every agent whose token state decides whether a token of this lineage, issued to `clientId`, is live. */
export function agentsOf(lineage: Lineage, clientId: string): string[] {
  return [...new Set([...lineage.agents.map((link) => link.agent), ...lineage.tokens.map((token) => token.agent), clientId])];
}

export interface ExchangedToken {
  clientId: string;
  jti: string;
  scope: string;
}

/**
 * Whether a token of this lineage is live: every agent of its chain is active, unexpired, still answers to the human
 * it answered to, was not revoked-all since it came to hold the chain's authority, and still has every scope the token
 * carries; and neither the token nor any token it derives from was revoked. So a revoked link anywhere in the chain
 * ends every token derived through it, and a token never outlasts the authority of any party it names.
 */
export function lineageIsLive(lineage: Lineage, token: ExchangedToken, stateOf: (agentId: string) => AgentTokenState | undefined, nowMs: number): boolean {
  if (lineage.agents[lineage.agents.length - 1]?.agent !== token.clientId) return false;
  const scopes = token.scope.split(' ').filter((s) => s !== '');
  for (const link of lineage.agents) {
    const state = stateOf(link.agent);
    if (!state?.active || state.ownerId !== link.owner) return false;
    if (state.expiresAtMs !== null && state.expiresAtMs <= nowMs) return false;
    if (revokedByNotBefore(link.since, state.notBeforeMs)) return false;
    if (scopes.some((s) => !state.scopes.has(s))) return false;
  }
  for (const ancestor of [...lineage.tokens, { agent: token.clientId, jti: token.jti }]) {
    const state = stateOf(ancestor.agent);
    if (!state || state.revokedJtis.has(ancestor.jti)) return false;
  }
  return true;
}
