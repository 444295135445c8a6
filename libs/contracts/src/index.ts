export * from './event-validator';
export * from './events/agent.activity.v1/agent-activity.types';
export * from './events/agent.anomaly.v1/agent-anomaly.types';
export * from './events/agent.lifecycle.v1/agent-lifecycle.types';
export * from './events/agent.usage.v1/agent-usage.types';
export * from './events/containment.action.v1/containment-action.types';
export * from './events/containment.alert.v1/containment-alert.types';
export * from './events/identity.lifecycle.v1/identity-lifecycle.types';
export * from './events/review.decision.v1/review-decision.types';
export * from './events/review.v1/review.types';
export * from './headers/kafka-headers';
export * from './topic-catalog';
export * from './unstorable-text';

import { AgentLifecycleEvent } from './events/agent.lifecycle.v1/agent-lifecycle.types';

export type RiskTier = AgentLifecycleEvent['riskTier'];
export type AgentStatus = AgentLifecycleEvent['status'];
