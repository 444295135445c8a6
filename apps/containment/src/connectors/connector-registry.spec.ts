import { RevocationConnector } from '@agentgov/revocation-connectors';

import { ConnectorRegistry } from './connector-registry';

const connector = (name: string, type: RevocationConnector['type']): RevocationConnector => ({ name, type, revoke: async () => ({ status: 'confirmed' }) });

describe('which connectors an action reaches', () => {
  const registry = new ConnectorRegistry([
    connector('issuer', 'builtin-issuer'),
    connector('idp', 'oauth-revocation'),
    connector('kc', 'keycloak'),
    connector('hook', 'webhook'),
    connector('ssf', 'ssf'),
  ]);

  it('a containment or deprovisioning reaches every connector', () => {
    expect(registry.targetsOf('contain').map((c) => c.name)).toEqual(['issuer', 'idp', 'kc', 'hook', 'ssf']);
    expect(registry.targetsOf('deprovision')).toHaveLength(5);
  });

  it('a release reaches only where it restores or renews something, never a session revocation again', () => {
    expect(registry.targetsOf('release').map((c) => c.name)).toEqual(['issuer', 'idp', 'kc', 'hook']);
  });

  it('the issuer needs no call when the registry itself ended the agent', () => {
    expect(ConnectorRegistry.settledByOrigin(connector('issuer', 'builtin-issuer'), 'lifecycle')).toMatch(/registry/);
    expect(ConnectorRegistry.settledByOrigin(connector('issuer', 'builtin-issuer'), 'policy')).toBeUndefined();
    expect(ConnectorRegistry.settledByOrigin(connector('hook', 'webhook'), 'lifecycle')).toBeUndefined();
  });
});
