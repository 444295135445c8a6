import { attenuateScopes, resolveScopes } from './scope';

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

describe('an exchanged token’s scopes stay within every bound at once', () => {
  const subject = { scopes: ['crm.records.read', 'crm.records.delete', 'mail.send'], what: "the subject token's scope" };
  const client = { scopes: ['crm.records.read', 'crm.records.delete'], what: "the client's own scopes" };
  const resource = { scopes: ['crm.records.read', 'crm.records.list'], what: 'the scopes the resource offers' };

  it('without a request, gives what every bound allows, in the first bound’s order', () => {
    expect(attenuateScopes(undefined, [subject, client, resource])).toEqual({ ok: true, scopes: ['crm.records.read'] });
    expect(attenuateScopes('', [subject, client])).toEqual({ ok: true, scopes: ['crm.records.read', 'crm.records.delete'] });
  });

  it('gives exactly what is asked when every bound allows it', () => {
    expect(attenuateScopes('crm.records.read crm.records.read', [subject, client, resource])).toEqual({ ok: true, scopes: ['crm.records.read'] });
  });

  it('refuses, naming the first bound exceeded: more than the subject token has, the agent’s grant, the resource offers', () => {
    expect(attenuateScopes('crm.records.list', [subject, client, resource])).toEqual({
      ok: false,
      error: 'invalid_scope',
      description: "The requested scope exceeds the subject token's scope.",
    });
    expect(attenuateScopes('mail.send', [subject, client, resource])).toMatchObject({ description: "The requested scope exceeds the client's own scopes." });
    expect(attenuateScopes('crm.records.delete', [subject, client, resource])).toMatchObject({
      description: 'The requested scope exceeds the scopes the resource offers.',
    });
  });

  it('refuses when nothing lies within all bounds, and a malformed request', () => {
    expect(attenuateScopes(undefined, [{ scopes: ['mail.send'], what: 'a' }, resource])).toMatchObject({ ok: false, error: 'invalid_scope' });
    expect(attenuateScopes('crm.records.read "x"', [subject])).toMatchObject({ ok: false, description: 'The scope parameter is malformed.' });
  });
});
