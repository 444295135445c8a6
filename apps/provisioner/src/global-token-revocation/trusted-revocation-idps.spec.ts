import { parseTrustedRevocationIdps } from './trusted-revocation-idps';

describe('GTR_TRUSTED_IDPS', () => {
  const parse = (value: unknown, production = false) => parseTrustedRevocationIdps(typeof value === 'string' ? value : JSON.stringify(value), { production });

  it('is empty when unset, and defaults each identity source to the issuer', () => {
    expect(parseTrustedRevocationIdps(undefined, { production: true })).toEqual([]);
    expect(parse([{ issuer: 'https://acme.okta.com', jwksUrl: 'https://acme.okta.com/oauth2/v1/keys', clientId: '0oa1' }], true)).toEqual([
      { issuer: 'https://acme.okta.com', jwksUrl: 'https://acme.okta.com/oauth2/v1/keys', clientId: '0oa1', identitySource: 'https://acme.okta.com' },
    ]);
    expect(parse([{ issuer: 'https://a.example', jwksUrl: 'https://a.example/keys', identitySource: 'okta' }])[0]?.identitySource).toBe('okta');
  });

  it('names the entry and member at fault, never the value', () => {
    expect(() => parse('{not json')).toThrow('GTR_TRUSTED_IDPS is not valid JSON');
    expect(() => parse({ issuer: 'https://a.example' })).toThrow('must be a JSON array');
    expect(() => parse([{ issuer: 'https://a.example' }])).toThrow('GTR_TRUSTED_IDPS[0].jwksUrl must be a non-empty string');
    expect(() => parse([{ issuer: 'https://a.example', jwksUrl: 'https://a.example/k', secret: 'hunter2' }])).toThrow(
      'GTR_TRUSTED_IDPS[0] has unknown members: secret',
    );
    expect(() => parse([{ issuer: 'not a url', jwksUrl: 'https://a.example/k' }])).toThrow('GTR_TRUSTED_IDPS[0].issuer must be a URL');
    expect(() =>
      parse([
        { issuer: 'https://a.example', jwksUrl: 'https://a.example/k' },
        { issuer: 'https://a.example/', jwksUrl: 'https://a.example/k2' },
      ]),
    ).toThrow('names the issuer https://a.example twice');
  });

  it('wants https in production (keys fetched over http could be anyone’s)', () => {
    const local = [{ issuer: 'http://127.0.0.1:9000', jwksUrl: 'http://127.0.0.1:9000/keys' }];
    expect(parse(local)).toHaveLength(1);
    expect(() => parse(local, true)).toThrow('GTR_TRUSTED_IDPS[0].issuer must be an https URL when NODE_ENV=production');
  });
});
