import { Logger, Module } from '@nestjs/common';

import { createConnectors } from '@agentgov/revocation-connectors';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ContainmentEnv } from '../config/containment.env';
import { ConnectorRegistry, readConnectorsFile } from './connector-registry';
import { SsfSigningKey } from './ssf-signing-key';

function connectorsOf(env: ContainmentEnv, ssfKey: SsfSigningKey) {
  try {
    return createConnectors(readConnectorsFile(env.CONNECTORS_FILE), {
      ...(ssfKey.present ? { ssfSigningKey: ssfKey.material } : {}),
      requireHttps: env.NODE_ENV === 'production',
    });
  } catch (error) {
    if (!ssfKey.present && /ssfSigningKey/.test((error as Error).message))
      throw new Error('an ssf connector is configured: SSF_SIGNING_KEY_FILE is required in production');
    throw error;
  }
}

/** The connectors universal logout fans out to (from CONNECTORS_FILE) and the key that signs the SETs it pushes. */
@Module({
  providers: [
    {
      provide: ConnectorRegistry,
      inject: [SERVICE_ENV, SsfSigningKey],
      // A bad connectors file stops the service at boot with a message naming the entry (never a secret).
      useFactory: (env: ContainmentEnv, ssfKey: SsfSigningKey) => {
        const connectors = connectorsOf(env, ssfKey);
        const production = env.NODE_ENV === 'production';
        if (production && !env.EXTERNAL_TOKEN_ENCRYPTION_KEY && connectors.some((c) => c.type === 'oauth-revocation')) {
          throw new Error('EXTERNAL_TOKEN_ENCRYPTION_KEY is required in production when an oauth-revocation connector is configured');
        }
        new Logger('Connectors').log(
          `universal logout reaches ${connectors.length} connector(s): ${connectors.map((c) => `${c.name} (${c.type})`).join(', ') || 'none'}`,
        );
        return new ConnectorRegistry(connectors);
      },
    },
    {
      provide: SsfSigningKey,
      inject: [SERVICE_ENV],
      useFactory: (env: ContainmentEnv) => {
        const key = SsfSigningKey.load(env.SSF_SIGNING_KEY_FILE, env.NODE_ENV === 'production');
        if (key.generated)
          new Logger('SsfSigningKey').warn('SSF_SIGNING_KEY_FILE is unset: SETs are signed with a key generated at start-up (development only)');
        return key;
      },
    },
  ],
  exports: [ConnectorRegistry, SsfSigningKey],
})
export class ConnectorsModule {}
