import { isPlainHttpUrl } from '../http/url';

// Field schemas of a `global-token-revocation` entry (the shared ones: name, type, timeoutMs, allowPlainHttp come
// from entrySchema). Like every message here, the checks below name fields and never quote a value.

const url = { type: 'string', minLength: 1, maxLength: 2048 } as const;
const secret = { type: 'string', minLength: 1, maxLength: 8192 } as const;
const text = { type: 'string', minLength: 1, maxLength: 512 } as const;

export const GLOBAL_TOKEN_REVOCATION_PROPERTIES: Record<string, object> = {
  endpoint: url,
  bearerToken: secret,
  clientCredentials: {
    type: 'object',
    additionalProperties: false,
    required: ['tokenEndpoint', 'clientId', 'clientSecret'],
    properties: {
      tokenEndpoint: url,
      clientId: text,
      clientSecret: secret,
      // RFC 6749 §3.3 scope-tokens separated by single spaces.
      scope: { type: 'string', maxLength: 1024, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+( [\\x21\\x23-\\x5B\\x5D-\\x7E]+)*$' },
      authMethod: { enum: ['client_secret_basic', 'client_secret_post'], default: 'client_secret_basic' },
    },
  },
  subject: { enum: ['agent', 'owner'], default: 'agent' },
  subjectFormat: { enum: ['opaque', 'iss_sub', 'email'], default: 'opaque' },
  subjectIssuer: { type: 'string', minLength: 1, maxLength: 2048 },
  ownerStatuses: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['terminated', 'suspended'] }, default: ['terminated'] },
  ownerDirectory: {
    type: 'object',
    additionalProperties: false,
    required: ['baseUrl', 'bearerToken'],
    properties: { baseUrl: url, bearerToken: secret },
  },
  notFound: { enum: ['failed', 'nothing-to-revoke'], default: 'failed' },
};

export const GLOBAL_TOKEN_REVOCATION_REQUIRED = ['endpoint'];

/**
 * What the schema cannot say about one entry: which fields go together, the other URLs' shape, and https for every
 * hop that carries a credential (the endpoint always gets a bearer token; the token endpoint the client secret; the
 * owner directory its own token). Returns the first problem, or undefined.
 */
export function checkGlobalTokenRevocationEntry(entry: Record<string, unknown>, options: { requireHttps?: boolean }): string | undefined {
  const clientCredentials = entry['clientCredentials'] as { tokenEndpoint: string } | undefined;
  const ownerDirectory = entry['ownerDirectory'] as { baseUrl: string } | undefined;
  if ((entry['bearerToken'] === undefined) === (clientCredentials === undefined)) return 'set exactly one of "bearerToken" and "clientCredentials"';
  const format = entry['subjectFormat'];
  if (format === 'iss_sub' && entry['subjectIssuer'] === undefined) return 'field "subjectIssuer" is required with "subjectFormat": "iss_sub"';
  if (format !== 'iss_sub' && entry['subjectIssuer'] !== undefined) return 'field "subjectIssuer" goes only with "subjectFormat": "iss_sub"';
  if (entry['subject'] === 'owner') {
    if (!ownerDirectory) return 'field "ownerDirectory" is required with "subject": "owner" (the registry says whether the owner is offboarded)';
  } else {
    if (format === 'email') return '"subjectFormat": "email" names an owner: it needs "subject": "owner"';
    if (ownerDirectory) return 'field "ownerDirectory" goes only with "subject": "owner"';
  }
  const hops: Array<[string, string | undefined, string]> = [
    ['endpoint', entry['endpoint'] as string, clientCredentials ? 'the token obtained by client credentials' : '"bearerToken"'],
    ['clientCredentials.tokenEndpoint', clientCredentials?.tokenEndpoint, '"clientCredentials.clientSecret"'],
    ['ownerDirectory.baseUrl', ownerDirectory?.baseUrl, '"ownerDirectory.bearerToken"'],
  ];
  for (const [field, value, credential] of hops) {
    if (value === undefined) continue;
    if (!isPlainHttpUrl(value)) return `field "${field}" must be an absolute http(s) URL without credentials or fragment`;
    if (options.requireHttps && !value.startsWith('https:') && entry['allowPlainHttp'] !== true) {
      return `field "${field}" must be https: ${credential} would cross the network in the clear (set "allowPlainHttp": true only for a hop a service mesh encrypts)`;
    }
  }
  return undefined;
}
