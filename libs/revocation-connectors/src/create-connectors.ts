import { ConnectorConfig } from './config/connector-config';
import { parseConnectorsConfig } from './config/parse-connectors-config';
import { BuiltinIssuerConnector } from './connectors/builtin-issuer.connector';
import { ConnectorRuntime } from './connectors/connector-runtime';
import { GlobalTokenRevocationConnector } from './connectors/global-token-revocation.connector';
import { KeycloakConnector } from './connectors/keycloak/keycloak.connector';
import { OAuthRevocationConnector } from './connectors/oauth-revocation.connector';
import { SsfConnector } from './connectors/ssf.connector';
import { WebhookConnector } from './connectors/webhook.connector';
import { createHttpClient } from './http/http-client';
import { RevocationConnector } from './revocation-connector';
import { loadSsfSigningKey, SsfSigningKey } from './ssf/ssf-signing-key';

export interface ConnectorDependencies {
  fetch?: typeof fetch;
  now?: () => Date;
  /** Required when an `ssf` connector is configured: the ES256 key its SETs are signed with. */
  ssfSigningKey?: SsfSigningKey;
  /** Credentials go only to https endpoints (production), unless an entry sets `allowPlainHttp`. */
  requireHttps?: boolean;
}

/** Validates the configuration and builds one connector per entry, in order. Throws on a bad configuration or key. */
export function createConnectors(config: unknown, deps: ConnectorDependencies = {}): RevocationConnector[] {
  const entries = parseConnectorsConfig(config, { requireHttps: deps.requireHttps });
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const now = deps.now ?? (() => new Date());

  return entries.map((entry: ConnectorConfig): RevocationConnector => {
    const runtime: ConnectorRuntime = { http: createHttpClient(fetchImpl, entry.timeoutMs), now };
    switch (entry.type) {
      case 'builtin-issuer':
        return new BuiltinIssuerConnector(entry, runtime);
      case 'oauth-revocation':
        return new OAuthRevocationConnector(entry, runtime);
      case 'keycloak':
        return new KeycloakConnector(entry, runtime);
      case 'webhook':
        return new WebhookConnector(entry, runtime);
      case 'ssf':
        return new SsfConnector(entry, runtime, loadSsfSigningKey(deps.ssfSigningKey));
      case 'global-token-revocation':
        return new GlobalTokenRevocationConnector(entry, runtime);
    }
  });
}
