import { actorChain, buildAccessTokenClaims } from './access-token-claims';

const base = {
  issuer: 'https://issuer.example',
  agentId: '6f1c7c3e-2d7e-4f8e-9d3a-1b2c3d4e5f60',
  ownerId: 'alice',
  scopes: ['crm:read', 'mail:send'],
  jti: '0b7f0a7e-9a3c-4c55-8f0e-2f1e9b3c4d5a',
  issuedAtMs: 1_700_000_000_250,
  ttlSeconds: 300,
};

describe('access token claims', () => {
  it('carries issuer, subject, client, scope, id, times and owner for a top-level agent, with no act', () => {
    const claims = buildAccessTokenClaims({ ...base, ancestors: [] });

    expect(claims).toEqual({
      iss: 'https://issuer.example',
      sub: base.agentId,
      client_id: base.agentId,
      scope: 'crm:read mail:send',
      jti: base.jti,
      iat: 1_700_000_000,
      exp: 1_700_000_300,
      iat_ms: 1_700_000_000_250,
      owner_id: 'alice',
    });
  });

  it('names the audience when one is configured', () => {
    expect(buildAccessTokenClaims({ ...base, ancestors: [], audience: 'api://agents' }).aud).toBe('api://agents');
  });

  it('names the parent, then the grandparent, in a nested act chain for a sub-agent', () => {
    const claims = buildAccessTokenClaims({ ...base, ancestors: ['parent', 'grandparent', 'root'] });

    expect(claims.act).toEqual({ sub: 'parent', act: { sub: 'grandparent', act: { sub: 'root' } } });
  });

  it('has a one-level chain for a direct child', () => {
    expect(actorChain(['parent'])).toEqual({ sub: 'parent' });
    expect(actorChain([])).toBeUndefined();
  });
});
