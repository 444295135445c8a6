import { Logger, Module } from '@nestjs/common';

import { createConnectors } from '@agentgov/revocation-connectors';
import { keyEncryptionKeyFrom } from '@agentgov/sealed-secrets';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { AuditLog } from './audit/audit-log';
import { ContainmentEnv } from './config/containment.env';
import { ConnectorRegistry, readConnectorsFile } from './connectors/connector-registry';
import { SsfSigningKey } from './connectors/ssf-signing-key';
import { AnalystDecisions } from './incidents/analyst-decisions';
import { AnomalyPolicyHandler } from './incidents/anomaly-policy.handler';
import { IncidentAlerts } from './incidents/incident-alerts';
import { IncidentStore } from './incidents/incident-store';
import { IncidentsController } from './incidents/incidents.controller';
import { AlertForwarder } from './logout/alert-forwarder';
import { ConnectorFailureIncidents } from './logout/connector-failure-incidents';
import { DeliveryDispatcher } from './logout/delivery-dispatcher';
import { EXTERNAL_TOKEN_KEK, ExternalTokens } from './logout/external-tokens';
import { LogoutController } from './logout/logout.controller';
import { UniversalLogout } from './logout/universal-logout';
import { PolicyController } from './policy/policy.controller';
import { PolicyStore } from './policy/policy-store';
import { AgentLifecycleHandler } from './registry/agent-lifecycle.handler';
import { KnownAgents } from './registry/known-agents';

function connectorsOf(env: ContainmentEnv, ssfKey: SsfSigningKey) {
  try {
    return createConnectors(readConnectorsFile(env.CONNECTORS_FILE), ssfKey.present ? { ssfSigningKey: ssfKey.material } : {});
  } catch (error) {
    if (!ssfKey.present && /ssfSigningKey/.test((error as Error).message)) throw new Error('an ssf connector is configured: SSF_SIGNING_KEY_FILE is required in production');
    throw error;
  }
}

/** Policy, incidents, universal logout and its connectors, and the SOC's API. */
@Module({
  controllers: [IncidentsController, PolicyController, LogoutController],
  providers: [
    {
      provide: SsfSigningKey,
      inject: [SERVICE_ENV],
      useFactory: (env: ContainmentEnv) => {
        const key = SsfSigningKey.load(env.SSF_SIGNING_KEY_FILE, env.NODE_ENV === 'production');
        if (key.generated) new Logger('SsfSigningKey').warn('SSF_SIGNING_KEY_FILE is unset: SETs are signed with a key generated at start-up (development only)');
        return key;
      },
    },
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
        new Logger('Connectors').log(`universal logout reaches ${connectors.length} connector(s): ${connectors.map((c) => `${c.name} (${c.type})`).join(', ') || 'none'}`);
        return new ConnectorRegistry(connectors);
      },
    },
    {
      provide: EXTERNAL_TOKEN_KEK,
      inject: [SERVICE_ENV],
      useFactory: (env: ContainmentEnv) =>
        keyEncryptionKeyFrom({ variable: 'EXTERNAL_TOKEN_ENCRYPTION_KEY', base64: env.EXTERNAL_TOKEN_ENCRYPTION_KEY, developmentPurpose: 'external-token' }),
    },
    AuditLog,
    KnownAgents,
    PolicyStore,
    IncidentStore,
    IncidentAlerts,
    UniversalLogout,
    ExternalTokens,
    AlertForwarder,
    ConnectorFailureIncidents,
    DeliveryDispatcher,
    AnalystDecisions,
    AnomalyPolicyHandler,
    AgentLifecycleHandler,
  ],
})
export class ContainmentModule {}
