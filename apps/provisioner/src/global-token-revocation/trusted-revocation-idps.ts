/**
 * An identity provider allowed to call the Global Token Revocation endpoint with assertions it signs itself, as Okta
 * Universal Logout does (its only authentication method is a signed JWT): GTR_TRUSTED_IDPS, a JSON array of these.
 */
export interface TrustedRevocationIdp {
  /** The `iss` of its assertions (Okta: the org URL, `https://acme.okta.com`). */
  issuer: string;
  /** Where its signing keys are published (Okta: `{org}/oauth2/v1/keys`). */
  jwksUrl: string;
  /** The `sub` its assertions must carry: our integration's client id at the IdP. Unset: any `sub` of that issuer. */
  clientId?: string;
  /**
   * The `owner_identities` source its users are linked under (`PUT /owners/:id/identities`); the issuer by default.
   * The IdP may log out only owners linked there: draft §6.1, a credential scoped to the users of its own tenant.
   */
  identitySource: string;
}

/** GTR_TRUSTED_IDPS of a validated environment (the boot check has refused a bad one already). */
export function trustedRevocationIdpsFrom(env: { GTR_TRUSTED_IDPS?: string; NODE_ENV?: string }): TrustedRevocationIdp[] {
  return parseTrustedRevocationIdps(env.GTR_TRUSTED_IDPS, { production: isProduction(env.NODE_ENV) });
}

/** As the other checks read it: unset NODE_ENV is production. */
export function isProduction(nodeEnv: string | undefined): boolean {
  return (nodeEnv ?? '') === '' || nodeEnv === 'production';
}

/** Parses GTR_TRUSTED_IDPS; throws a message that names the entry and member at fault, never a value. */
export function parseTrustedRevocationIdps(text: string | undefined, { production }: { production: boolean }): TrustedRevocationIdp[] {
  if (!text || text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('GTR_TRUSTED_IDPS is not valid JSON (an array of {issuer, jwksUrl, clientId?, identitySource?})');
  }
  if (!Array.isArray(parsed)) throw new Error('GTR_TRUSTED_IDPS must be a JSON array of {issuer, jwksUrl, clientId?, identitySource?}');
  const idps = parsed.map((entry: unknown, i): TrustedRevocationIdp => {
    const at = `GTR_TRUSTED_IDPS[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${at} must be an object`);
    const record = entry as Record<string, unknown>;
    const unknown = Object.keys(record).filter((key) => !['issuer', 'jwksUrl', 'clientId', 'identitySource'].includes(key));
    if (unknown.length > 0) throw new Error(`${at} has unknown members: ${unknown.join(', ')}`);
    const issuer = text_(record, 'issuer', at);
    const jwksUrl = text_(record, 'jwksUrl', at);
    url(issuer, `${at}.issuer`, production);
    url(jwksUrl, `${at}.jwksUrl`, production);
    const clientId = record['clientId'] === undefined ? undefined : text_(record, 'clientId', at);
    const identitySource = record['identitySource'] === undefined ? issuer : text_(record, 'identitySource', at);
    return { issuer, jwksUrl, ...(clientId ? { clientId } : {}), identitySource };
  });
  const issuers = idps.map((idp) => normalizeIssuer(idp.issuer));
  const repeated = issuers.find((issuer, i) => issuers.indexOf(issuer) !== i);
  if (repeated) throw new Error(`GTR_TRUSTED_IDPS names the issuer ${repeated} twice`);
  return idps;
}

/** Issuer identifiers compare as strings (RFC 8414 §2); a trailing slash is the one difference tolerated. */
export function normalizeIssuer(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

function text_(record: Record<string, unknown>, name: string, at: string): string {
  const value = record[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > 2048) throw new Error(`${at}.${name} must be a non-empty string`);
  return value.trim();
}

function url(value: string, name: string, production: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error(`${name} must be a URL`);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && !production)) {
    throw new Error(`${name} must be an https URL${production ? ' when NODE_ENV=production' : ''}`);
  }
}
