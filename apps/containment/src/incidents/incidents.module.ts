import { Module } from '@nestjs/common';

import { ActionsModule } from '../actions/actions.module';
import { PolicyModule } from '../policy/policy.module';
import { RegistryModule } from '../registry/registry.module';
import { AcknowledgeIncidentUseCase } from './acknowledge-incident.usecase';
import { AgentAnomalyHandler } from './agent-anomaly.handler';
import { ApplyAnomalyPolicyUseCase } from './apply-anomaly-policy.usecase';
import { CloseIncidentUseCase } from './close-incident.usecase';
import { ConfirmIncidentUseCase } from './confirm-incident.usecase';
import { IncidentAlerts } from './incident-alerts';
import { IncidentDecision } from './incident-decision';
import { IncidentStream } from './incident-stream';
import { IncidentsController } from './incidents.controller';
import { IncidentsRepository } from './incidents.repository';
import { ReleaseIncidentUseCase } from './release-incident.usecase';

/** Policy on the baseliner's anomalies, the incidents it opens, their alerts to the SOC, and the analysts' decisions. */
@Module({
  imports: [ActionsModule, PolicyModule, RegistryModule],
  controllers: [IncidentsController],
  providers: [
    AcknowledgeIncidentUseCase,
    AgentAnomalyHandler,
    ApplyAnomalyPolicyUseCase,
    CloseIncidentUseCase,
    ConfirmIncidentUseCase,
    IncidentAlerts,
    IncidentDecision,
    IncidentStream,
    IncidentsRepository,
    ReleaseIncidentUseCase,
  ],
  exports: [IncidentAlerts, IncidentsRepository],
})
export class IncidentsModule {}
