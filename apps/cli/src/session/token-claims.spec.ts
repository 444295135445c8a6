import { readTokenClaims } from './token-claims';

const jwt = (payload: object) => `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('token claims', () => {
  it("reads the holder, the roles the services read and an identity provider's role names", () => {
    expect(readTokenClaims(jwt({ sub: 'alice', iss: 'agentgov-dev', aud: 'agentgov', roles: ['admin'], exp: 1_900_000_000 }))).toEqual({
      subject: 'alice',
      issuer: 'agentgov-dev',
      audience: ['agentgov'],
      roles: ['admin'],
      expiresAt: new Date(1_900_000_000_000),
    });
    expect(readTokenClaims(jwt({ sub: 'bob', aud: ['agentgov', 'account'], realm_access: { roles: ['agentgov-soc'] }, groups: ['ops'] }))).toEqual({
      subject: 'bob',
      audience: ['agentgov', 'account'],
      providerRoles: ['agentgov-soc', 'ops'],
    });
  });

  it('answers nothing for what is not a JWT, without throwing', () => {
    expect(readTokenClaims('not-a-token')).toBeUndefined();
    expect(readTokenClaims('a.!!!.c')).toBeUndefined();
  });
});
