// A real OAuth 2.0 authorization server (panva's oidc-provider) for integration tests, run as a child
// process by real-oauth-server.ts: oidc-provider is ESM-only and jest on Node 20 cannot load ESM, so the
// tests talk to it over HTTP only.
//
// Input: the OAUTH_SERVER_CONFIG environment variable, JSON:
//   { "clients": [{ "client_id": "...", "client_secret": "...", "can_revoke_any_token": false }],
//     "scopes": ["..."], "access_token_ttl_seconds": 600 }
// Output: once listening, exactly one JSON line on stdout: {"ready":true,"issuer":"http://127.0.0.1:<port>"}.
// Anything else the server or the library has to say goes to stderr. SIGTERM/SIGINT close it and exit 0.
//
// Enabled: client_credentials grant, RFC 7009 revocation, RFC 7662 introspection, opaque access tokens
// (ClientCredentials artifacts) in the library's in-memory adapter.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

function fail(message) {
  process.stderr.write(`[oauth-server] ${message}\n`);
  process.exit(1);
}

let config;
try {
  config = JSON.parse(process.env.OAUTH_SERVER_CONFIG ?? '');
} catch (error) {
  fail(`OAUTH_SERVER_CONFIG is not valid JSON: ${error.message}`);
}
if (!Array.isArray(config?.clients) || config.clients.length === 0) {
  fail('OAUTH_SERVER_CONFIG.clients must be a non-empty array of { client_id, client_secret }');
}
for (const client of config.clients) {
  if (typeof client?.client_id !== 'string' || !client.client_id || typeof client.client_secret !== 'string' || !client.client_secret) {
    fail(`every client needs a non-empty client_id and client_secret, got ${JSON.stringify(client)}`);
  }
}

const scopes = Array.isArray(config.scopes) ? config.scopes : [];
const accessTokenTtlSeconds = Number.isInteger(config.access_token_ttl_seconds) ? config.access_token_ttl_seconds : 600;
// Clients allowed to revoke tokens issued to other clients (the containment service). Everyone else may
// only revoke its own tokens, which is oidc-provider's default policy.
const revokeAnyToken = new Set(config.clients.filter((c) => c.can_revoke_any_token === true).map((c) => c.client_id));

// An ephemeral signing key, so that the library does not fall back to (and warn about) its development keys.
// Access tokens stay opaque; the key only signs what the library would sign anyway (e.g. discovery-advertised JWKS).
// RSA because the clients' default id_token_signed_response_alg is RS256.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'oauth-server-test', alg: 'RS256', use: 'sig' };

const httpServer = createServer();
await new Promise((resolve, reject) => {
  httpServer.once('error', reject);
  httpServer.listen(0, '127.0.0.1', resolve);
});
const { port } = httpServer.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    // Used by oidc-provider for the token, revocation and introspection endpoints alike.
    token_endpoint_auth_method: 'client_secret_basic',
    ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
  })),
  scopes,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // No resource indicators: a client_credentials token is then always an opaque ClientCredentials
    // artifact kept in the adapter, which is what can be revoked (structured JWTs cannot, see
    // lib/shared/reject_structured_tokens.js) and introspected.
    resourceIndicators: { enabled: false },
    introspection: {
      enabled: true,
      // RFC 7662 §2.1: any authenticated (confidential) client may introspect any token, as a resource
      // server would. This is the library's default too; stating it silences its "should change" notice.
      allowedPolicy: async (_ctx, client) => client.clientAuthMethod !== 'none',
    },
    revocation: {
      enabled: true,
      // The default (lib/helpers/defaults.js revocationAllowedPolicy) answers a confidential client presenting
      // another client's token with 400 invalid_request "client is not authorized to revoke the presented
      // token". Kept for ordinary clients; clients flagged can_revoke_any_token may revoke any token.
      allowedPolicy: async (_ctx, client, token) => {
        if (token.clientId === client.clientId || revokeAnyToken.has(client.clientId)) return true;
        throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
      },
    },
  },
  ttl: {
    ClientCredentials: accessTokenTtlSeconds,
  },
});

provider.on('server_error', (_ctx, error) => {
  process.stderr.write(`[oauth-server] server_error: ${error?.stack ?? error}\n`);
});

// Static clients are only validated when first looked up; do it now so that bad metadata fails the start.
for (const client of config.clients) {
  try {
    await provider.Client.find(client.client_id);
  } catch (error) {
    fail(`client ${client.client_id} is invalid: ${error.error_description ?? error.message}`);
  }
}

httpServer.on('request', provider.callback());

function shutdown() {
  httpServer.close(() => process.exit(0));
  httpServer.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

process.stdout.write(`${JSON.stringify({ ready: true, issuer })}\n`);
