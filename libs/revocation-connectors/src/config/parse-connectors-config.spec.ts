import { generateKeyPairSync } from 'node:crypto';

import { createConnectors } from '../create-connectors';
import { generateSsfSigningKey } from '../ssf/ssf-signing-key';
import { parseConnectorsConfig } from './parse-connectors-config';

const SECRET = 'whsec-9f8e7d6c5b4a39281716151413121110';
const TOKEN = 'issuer-admin-token-5a4b3c2d1e';

const validConfig = [
  { name: 'agentgov-issuer', type: 'builtin-issuer', baseUrl: 'https://issuer.example/api', bearerToken: TOKEN },
  { name: 'crm-oauth', type: 'oauth-revocation', revocationEndpoint: 'https://crm.example/oauth/revoke', clientId: 'agentgov', clientSecret: 's3cret' },
  { name: 'corp-keycloak', type: 'keycloak', baseUrl: 'https://sso.example', realm: 'agents', clientId: 'agentgov-admin', clientSecret: 'kc-secret' },
  { name: 'siem-hook', type: 'webhook', url: 'https://hooks.example/logout', secret: SECRET, timeoutMs: 2000 },
  { name: 'caep-receiver', type: 'ssf', endpoint: 'https://rp.example/ssf/events', audience: 'https://rp.example', issuer: 'https://agentgov.example' },
];

function errorOf(config: unknown): string {
  try {
    parseConnectorsConfig(config);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConnectorsConfig', () => {
  it('accepts one entry of every type and fills in the defaults', () => {
    const parsed = parseConnectorsConfig(validConfig);

    expect(parsed.map((entry) => entry.name)).toEqual(['agentgov-issuer', 'crm-oauth', 'corp-keycloak', 'siem-hook', 'caep-receiver']);
    expect(parsed[0]).toMatchObject({ timeoutMs: 5000 });
    expect(parsed[1]).toMatchObject({ authMethod: 'client_secret_basic' });
    expect(parsed[2]).toMatchObject({ agentIdentity: 'client-or-user' });
    expect(parsed[3]).toMatchObject({ timeoutMs: 2000 });
    expect(parsed[4]).toMatchObject({ events: ['session-revoked', 'credential-change'], credentialType: 'password' });
  });

  it('where https is required (production), sends no credential to a plain http endpoint unless the entry allows it', () => {
    const plain = [
      { name: 'issuer', type: 'builtin-issuer', baseUrl: 'http://agentgov-provisioner:3001', bearerToken: TOKEN },
      { name: 'crm', type: 'oauth-revocation', revocationEndpoint: 'http://crm.example/revoke', clientId: 'agentgov', clientSecret: 's3cret' },
      // A webhook's secret only signs: it never crosses the network.
      { name: 'hook', type: 'webhook', url: 'http://hooks.example/logout', secret: SECRET },
      // An SSF receiver without an Authorization header receives no credential either.
      { name: 'rp', type: 'ssf', endpoint: 'http://rp.example/ssf', audience: 'https://rp.example', issuer: 'https://agentgov.example' },
    ];
    expect(parseConnectorsConfig(plain)).toHaveLength(4);
    let message = '';
    try {
      parseConnectorsConfig(plain, { requireHttps: true });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('connectors[0] ("issuer"): field "baseUrl" must be https: its "bearerToken" would cross the network in the clear');
    expect(message).toContain('connectors[1] ("crm"): field "revocationEndpoint" must be https');
    expect(message).not.toMatch(/"hook"|"rp"|s3cret|issuer-admin-token/);
    // An in-cluster hop a mesh encrypts, said so explicitly.
    const meshed = [{ ...plain[0], allowPlainHttp: true }, plain[2]];
    expect(parseConnectorsConfig(meshed, { requireHttps: true }).map((e) => e.name)).toEqual(['issuer', 'hook']);
    expect(parseConnectorsConfig(validConfig, { requireHttps: true })).toHaveLength(5);
  });

  it('accepts the same configuration as JSON text, as it comes from an environment variable', () => {
    expect(parseConnectorsConfig(JSON.stringify(validConfig))).toEqual(parseConnectorsConfig(validConfig));
  });

  it('leaves the caller’s objects untouched', () => {
    const entry = { name: 'hook', type: 'webhook', url: 'https://hooks.example', secret: SECRET };
    parseConnectorsConfig([entry]);
    expect(entry).toEqual({ name: 'hook', type: 'webhook', url: 'https://hooks.example', secret: SECRET });
  });

  it('names an unknown type and lists the known ones', () => {
    const message = errorOf([{ name: 'directory', type: 'ldap', url: 'ldap://dir.example' }]);
    expect(message).toContain('connectors[0] ("directory"): unknown type "ldap"; expected one of builtin-issuer, oauth-revocation, keycloak, webhook, ssf');
  });

  it('refuses two entries with the same name, naming both', () => {
    const message = errorOf([validConfig[0], { ...validConfig[3], name: 'agentgov-issuer' }]);
    expect(message).toContain('connectors[1] ("agentgov-issuer"): duplicate name, already used by connectors[0]');
  });

  it('names a missing field without echoing the entry', () => {
    const message = errorOf([{ name: 'kc', type: 'keycloak', baseUrl: 'https://sso.example', realm: 'agents', clientId: 'x' }]);
    expect(message).toBe('Invalid revocation connectors config: connectors[0] ("kc"): field "clientSecret" is required');
  });

  it('refuses a webhook secret under 32 characters without showing it', () => {
    const short = 'short-but-secret-value';
    const message = errorOf([{ name: 'hook', type: 'webhook', url: 'https://hooks.example', secret: short }]);
    expect(message).toContain('connectors[0] ("hook"): field "secret" must NOT have fewer than 32 characters');
    expect(message).not.toContain(short);
  });

  it.each([
    ['a non-http scheme', 'ftp://files.example/revoke'],
    ['credentials in the URL', 'https://admin:hunter2-pass@issuer.example'],
    ['a relative URL', '/agents'],
  ])('refuses %s, without echoing the URL', (_case, url) => {
    const message = errorOf([{ name: 'issuer', type: 'builtin-issuer', baseUrl: url, bearerToken: TOKEN }]);
    expect(message).toContain('connectors[0] ("issuer"): field "baseUrl" must be an absolute http(s) URL without credentials or fragment');
    expect(message).not.toContain(url);
    expect(message).not.toContain(TOKEN);
  });

  it('names a misspelt field, but not its value', () => {
    const message = errorOf([{ ...validConfig[1], clientSecert: 'typo-secret-value' }]);
    expect(message).toContain('connectors[0] ("crm-oauth"): unknown field "clientSecert"');
    expect(message).not.toContain('typo-secret-value');
  });

  it('lists the allowed values of an enumerated field', () => {
    expect(errorOf([{ ...validConfig[1], authMethod: 'private_key_jwt' }])).toContain(
      'field "authMethod" must be equal to one of the allowed values (client_secret_basic, client_secret_post)',
    );
    expect(errorOf([{ ...validConfig[4], events: ['session-revoked', 'token-claims-change'] }])).toContain('field "events[1]"');
  });

  it('refuses a bad name and reports every broken entry at once', () => {
    const message = errorOf([{ name: 'Has Spaces', type: 'webhook' }, validConfig[0], { name: 'x', type: 'builtin-issuer' }]);
    expect(message).toContain('connectors[0]: field "name" is required and must match ^[a-z0-9-]{1,64}$');
    expect(message).toContain('connectors[2] ("x"): field "baseUrl" is required');
  });

  it('refuses what is not an array, and JSON text that does not parse, without quoting it', () => {
    expect(errorOf({ name: 'x' })).toBe('Invalid revocation connectors config: must be a JSON array of connector entries');
    const broken = `[{"name":"hook","type":"webhook","secret":"${SECRET}"`;
    const message = errorOf(broken);
    expect(message).toBe('Invalid revocation connectors config: is not valid JSON');
    expect(message).not.toContain(SECRET);
  });
});

describe('createConnectors', () => {
  it('builds one connector per entry, in order, with its name and type', () => {
    const connectors = createConnectors(validConfig, { ssfSigningKey: generateSsfSigningKey() });
    expect(connectors.map((c) => [c.name, c.type])).toEqual([
      ['agentgov-issuer', 'builtin-issuer'],
      ['crm-oauth', 'oauth-revocation'],
      ['corp-keycloak', 'keycloak'],
      ['siem-hook', 'webhook'],
      ['caep-receiver', 'ssf'],
    ]);
  });

  it('refuses an ssf connector without a signing key, or with a key that is not ES256, without quoting the key', () => {
    const ssfOnly = [validConfig[4]];
    expect(() => createConnectors(ssfOnly)).toThrow('An ssf connector is configured, but no ssfSigningKey was supplied');

    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' });
    expect(() => createConnectors(ssfOnly, { ssfSigningKey: { privateJwk: p384, kid: 'k1' } })).toThrow(
      'ssfSigningKey.privateJwk must be an EC P-256 key (ES256)',
    );
    const { privateJwk, publicJwk } = generateSsfSigningKey();
    expect(() => createConnectors(ssfOnly, { ssfSigningKey: { privateJwk: publicJwk, kid: 'k1' } })).toThrow('ssfSigningKey.privateJwk is not a private JWK');
    expect(() => createConnectors(ssfOnly, { ssfSigningKey: { privateJwk, kid: '' } })).toThrow('ssfSigningKey.kid must be a non-empty string');
  });

  it('needs no signing key when no ssf connector is configured', () => {
    expect(createConnectors([validConfig[0]])).toHaveLength(1);
  });
});
