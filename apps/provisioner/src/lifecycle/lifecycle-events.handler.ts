import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { Topics } from '@agentgov/contracts';
import { ConsumedEvent } from '@agentgov/messaging';
import { HandlesEvent } from '@agentgov/service-infrastructure';

import { AgentDecisionsUseCase } from './agent-decisions.usecase';
import { OwnerLifecycleUseCase } from './owner-lifecycle.usecase';

/** Thin: each event goes to its use case, inside the inbox transaction. */
@Injectable()
export class LifecycleEventsHandler {
  constructor(
    private readonly owners: OwnerLifecycleUseCase,
    private readonly decisions: AgentDecisionsUseCase,
  ) {}

  @HandlesEvent(Topics.IdentityLifecycle)
  onIdentityLifecycle(event: ConsumedEvent<'identity.lifecycle.v1'>, tx: EntityManager) {
    return this.owners.execute(event, tx);
  }

  @HandlesEvent(Topics.ContainmentAction)
  onContainmentAction(event: ConsumedEvent<'containment.action.v1'>, tx: EntityManager) {
    return this.decisions.containment(event, tx);
  }

  @HandlesEvent(Topics.ReviewDecision)
  onReviewDecision(event: ConsumedEvent<'review.decision.v1'>, tx: EntityManager) {
    return this.decisions.review(event, tx);
  }
}
