import type { AgentTokenState } from './agent-token-state.cache';
import { actClaimOf, clientTokenChain, extendLineage, Lineage, lineageIsLive, readLineage } from './delegation-lineage';
import { buildExchangedTokenClaims } from './exchanged-token-claims';

const A = '0a0a0a0a-0000-4000-8000-00000000000a';
const B = '0b0b0b0b-0000-4000-8000-00000000000b';
const C = '0c0c0c0c-0000-4000-8000-00000000000c';
const T0 = 1_700_000_000_000;

function state(overrides: Partial<AgentTokenState> = {}): AgentTokenState {
  return {
    active: true,
    ownerId: 'alice',
    expiresAtMs: null,
    notBeforeMs: Number.NEGATIVE_INFINITY,
    revokedJtis: new Set(),
    scopes: new Set(['crm.records.read', 'crm.records.delete']),
    ...overrides,
  };
}

/** owner alice → A → B → C, as three exchanges build it from A's client credentials token. */
function threeDeep(): Lineage {
  const fromA = { lineage: { agents: [{ agent: A, owner: 'alice', since: T0 }], tokens: [] }, jti: 'cc-a', clientId: A, issuedAtMs: T0 };
  const t1 = extendLineage(fromA, { id: A, ownerId: 'alice' });
  const t2 = extendLineage({ lineage: t1, jti: 't1', clientId: A, issuedAtMs: T0 + 10 }, { id: B, ownerId: 'alice' });
  return extendLineage({ lineage: t2, jti: 't2', clientId: B, issuedAtMs: T0 + 20 }, { id: C, ownerId: 'alice' });
}

describe('a delegation chain and its act claim', () => {
  it('an agent exchanging its own token adds nobody; each agent it is delegated to joins, since the token it received', () => {
    expect(threeDeep()).toEqual({
      agents: [
        { agent: A, owner: 'alice', since: T0 },
        { agent: B, owner: 'alice', since: T0 + 10 },
        { agent: C, owner: 'alice', since: T0 + 20 },
      ],
      tokens: [
        { agent: A, jti: 'cc-a' },
        { agent: A, jti: 't1' },
        { agent: B, jti: 't2' },
      ],
    });
  });

  it('nests act with the most recent actor outermost and the first one deepest (RFC 8693 §4.1)', () => {
    expect(actClaimOf(threeDeep().agents)).toEqual({ sub: C, act: { sub: B, act: { sub: A } } });
    expect(actClaimOf([{ agent: A, owner: 'alice', since: T0 }])).toEqual({ sub: A });
  });

  it('reads the parents a sub-agent’s client credentials token names, root first, then the agent', () => {
    expect(clientTokenChain({ sub: C, act: { sub: B, act: { sub: A } } })).toEqual([A, B, C]);
    expect(clientTokenChain({ sub: A })).toEqual([A]);
  });

  it('signs the human as subject, the last actor as client, may_act for the downstream agent, and the lineage', () => {
    const lineage = threeDeep();
    const claims = buildExchangedTokenClaims({
      issuer: 'https://issuer.example',
      audience: ['https://crm.example/mcp'],
      ownerId: 'alice',
      lineage,
      mayAct: undefined,
      scopes: ['crm.records.read'],
      jti: 't3',
      issuedAtMs: T0 + 30_250,
      expiresAt: 1_700_000_300,
    });
    expect(claims).toEqual({
      iss: 'https://issuer.example',
      sub: 'alice',
      aud: 'https://crm.example/mcp',
      client_id: C,
      scope: 'crm.records.read',
      jti: 't3',
      iat: 1_700_000_030,
      exp: 1_700_000_300,
      iat_ms: T0 + 30_250,
      owner_id: 'alice',
      act: { sub: C, act: { sub: B, act: { sub: A } } },
      lineage,
    });
    expect(buildExchangedTokenClaims({ ...claimsInput(lineage), mayAct: C }).may_act).toEqual({ sub: C });
    expect(readLineage(claims)).toEqual(lineage);
  });

  it('trusts no lineage claim in another shape, and none at all means a client credentials token', () => {
    expect(readLineage({})).toBeUndefined();
    expect(readLineage({ lineage: 'x' })).toBeNull();
    expect(readLineage({ lineage: { agents: [], tokens: [] } })).toBeNull();
    expect(readLineage({ lineage: { agents: [{ agent: 'not-an-id', owner: 'alice', since: T0 }], tokens: [] } })).toBeNull();
    expect(readLineage({ lineage: { agents: [{ agent: A, owner: 'alice', since: 'yesterday' }], tokens: [] } })).toBeNull();
  });
});

function claimsInput(lineage: Lineage) {
  return { issuer: 'i', audience: undefined, ownerId: 'alice', lineage, scopes: ['crm.records.read'], jti: 'x', issuedAtMs: T0, expiresAt: 1 };
}

describe('a revoked link anywhere in the chain ends the token', () => {
  const token = { clientId: C, jti: 't3', scope: 'crm.records.read' };

  function live(states: Record<string, AgentTokenState | undefined>, lineage = threeDeep(), t = token): boolean {
    return lineageIsLive(lineage, t, (id) => states[id], T0 + 60_000);
  }

  const healthy = () => ({ [A]: state(), [B]: state(), [C]: state() });

  it('is live while every agent is good', () => {
    expect(live(healthy())).toBe(true);
  });

  it.each([
    ['the middle agent suspended', { [B]: state({ active: false }) }],
    ['the first agent contained (revoke-all after the chain began)', { [A]: state({ notBeforeMs: T0 + 5 }) }],
    ['the middle agent contained while it held the token delegated to it', { [B]: state({ notBeforeMs: T0 + 10 }) }],
    ['the middle agent reassigned to another owner (its owner offboarded)', { [B]: state({ ownerId: 'manager' }) }],
    ['an agent expired', { [C]: state({ expiresAtMs: T0 }) }],
    ['an agent narrowed below the token’s scope', { [A]: state({ scopes: new Set(['crm.records.delete']) }) }],
    ['a token it derives from revoked (RFC 7009)', { [A]: state({ revokedJtis: new Set(['t1']) }) }],
    ['the token itself revoked', { [C]: state({ revokedJtis: new Set(['t3']) }) }],
    ['an agent unknown to the registry', { [B]: undefined }],
  ])('%s', (_why, change) => {
    expect(live({ ...healthy(), ...change })).toBe(false);
  });

  it('a revoke-all of an agent before it came to hold the chain’s authority does not end it', () => {
    expect(live({ ...healthy(), [C]: state({ notBeforeMs: T0 + 19 }) })).toBe(true);
  });

  it('is refused when its client is not the chain’s last agent (a lineage never signed so)', () => {
    expect(live(healthy(), threeDeep(), { ...token, clientId: B })).toBe(false);
  });
});
