import { resolveScopes } from './scope';

describe("token scopes are a subset of the agent's", () => {
  const granted = ['crm:read', 'crm:write', 'mail:send'];

  it("gives all of the agent's scopes when none are asked for", () => {
    expect(resolveScopes(undefined, granted)).toEqual({ ok: true, scopes: granted });
    expect(resolveScopes('  ', granted)).toEqual({ ok: true, scopes: granted });
  });

  it('gives exactly the scopes asked for when all are granted', () => {
    expect(resolveScopes('mail:send crm:read crm:read', granted)).toEqual({ ok: true, scopes: ['mail:send', 'crm:read'] });
  });

  it('refuses, rather than narrows, a request with one scope not granted', () => {
    expect(resolveScopes('crm:read crm:delete', granted)).toMatchObject({ ok: false, error: 'invalid_scope' });
  });

  it('refuses a malformed scope parameter', () => {
    expect(resolveScopes('crm:read "quoted"', granted)).toMatchObject({ ok: false, error: 'invalid_scope' });
  });

  it('gives nothing to an agent with no scopes that asks for one', () => {
    expect(resolveScopes('crm:read', [])).toMatchObject({ ok: false });
  });
});
