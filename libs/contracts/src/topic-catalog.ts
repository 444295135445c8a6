import agentActivitySchema from './events/agent.activity.v1/agent-activity.schema.json';
import { AgentActivityEvent } from './events/agent.activity.v1/agent-activity.types';
import agentAnomalySchema from './events/agent.anomaly.v1/agent-anomaly.schema.json';
import { AgentAnomalyEvent } from './events/agent.anomaly.v1/agent-anomaly.types';
import agentLifecycleSchema from './events/agent.lifecycle.v1/agent-lifecycle.schema.json';
import { AgentLifecycleEvent } from './events/agent.lifecycle.v1/agent-lifecycle.types';
import agentUsageSchema from './events/agent.usage.v1/agent-usage.schema.json';
import { AgentUsageEvent } from './events/agent.usage.v1/agent-usage.types';
import containmentActionSchema from './events/containment.action.v1/containment-action.schema.json';
import { ContainmentActionEvent } from './events/containment.action.v1/containment-action.types';
import containmentAlertSchema from './events/containment.alert.v1/containment-alert.schema.json';
import { ContainmentAlertEvent } from './events/containment.alert.v1/containment-alert.types';
import identityLifecycleSchema from './events/identity.lifecycle.v1/identity-lifecycle.schema.json';
import { IdentityLifecycleEvent } from './events/identity.lifecycle.v1/identity-lifecycle.types';
import reviewDecisionSchema from './events/review.decision.v1/review-decision.schema.json';
import { ReviewDecisionEvent } from './events/review.decision.v1/review-decision.types';
import reviewSchema from './events/review.v1/review.schema.json';
import { ReviewEvent } from './events/review.v1/review.types';

/*
 * DO NOT CHANGE THESE VALUES WITHOUT A MIGRATION PLAN.
 * They are Kafka topic names in production: renaming one strands every unread message on the old topic,
 * every consumer group offset and every DLQ. A breaking change to a schema is a new topic (".v2") that
 * runs beside the old one until its consumers have moved.
 */
export const Topics = {
  IdentityLifecycle: 'identity.lifecycle.v1',
  AgentLifecycle: 'agent.lifecycle.v1',
  AgentActivity: 'agent.activity.v1',
  AgentAnomaly: 'agent.anomaly.v1',
  AgentUsage: 'agent.usage.v1',
  ContainmentAction: 'containment.action.v1',
  ContainmentAlert: 'containment.alert.v1',
  Review: 'review.v1',
  ReviewDecision: 'review.decision.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export interface TopicPayloads {
  'identity.lifecycle.v1': IdentityLifecycleEvent;
  'agent.lifecycle.v1': AgentLifecycleEvent;
  'agent.activity.v1': AgentActivityEvent;
  'agent.anomaly.v1': AgentAnomalyEvent;
  'agent.usage.v1': AgentUsageEvent;
  'containment.action.v1': ContainmentActionEvent;
  'containment.alert.v1': ContainmentAlertEvent;
  'review.v1': ReviewEvent;
  'review.decision.v1': ReviewDecisionEvent;
}

/** A JSON Schema as loaded from its file; `$id` is required so validators can be looked up by it. */
export interface EventSchema {
  $id: string;
  title: string;
  [keyword: string]: unknown;
}

export interface TopicSpec {
  name: TopicName;
  /** ce_type of every event on the topic. */
  eventType: string;
  /** Field of the data whose value is the message key (so one subject's events share a partition). */
  keyField: string;
  partitions: number;
  schema: EventSchema;
  description: string;
  /** Services (or `external:` systems) that write the topic. */
  producers: string[];
  /** Services (or `external:` systems) that read it. */
  consumers: string[];
}

export const TOPIC_PARTITIONS = 6;
export const DLQ_PARTITIONS = 1;

type SpecInput<T extends TopicName> = Omit<TopicSpec, 'name' | 'keyField' | 'eventType' | 'partitions'> & {
  name: T;
  keyField: keyof TopicPayloads[T] & string;
};

function spec<T extends TopicName>(topic: SpecInput<T>): TopicSpec & { name: T } {
  return { ...topic, eventType: `agentgov.${topic.name}`, partitions: TOPIC_PARTITIONS };
}

export const TOPIC_CATALOG: { readonly [T in TopicName]: TopicSpec & { name: T } } = {
  'identity.lifecycle.v1': spec({
    name: Topics.IdentityLifecycle,
    keyField: 'ownerId',
    schema: identityLifecycleSchema,
    description: 'Owner lifecycle from HR and identity providers: terminated, suspended, reinstated, transferred.',
    producers: ['external:hr-idp', 'provisioner'],
    consumers: ['provisioner', 'review-scheduler'],
  }),
  'agent.lifecycle.v1': spec({
    name: Topics.AgentLifecycle,
    keyField: 'agentId',
    schema: agentLifecycleSchema,
    description: 'Every change to an agent (registered, suspended, deprovisioned, scopes or owner changed...) with its state after it.',
    producers: ['provisioner'],
    consumers: ['behavior-baseliner', 'containment', 'review-scheduler'],
  }),
  'agent.activity.v1': spec({
    name: Topics.AgentActivity,
    keyField: 'agentId',
    schema: agentActivitySchema,
    description: 'Each action an agent took or tried: what, on which resource, with which tool, how many records, outcome.',
    producers: ['external:agent-gateways'],
    consumers: ['behavior-baseliner'],
  }),
  'agent.anomaly.v1': spec({
    name: Topics.AgentAnomaly,
    keyField: 'agentId',
    schema: agentAnomalySchema,
    description: "Behavior off an agent's baseline, or a shadow agent, with the score and the features that explain it.",
    producers: ['behavior-baseliner'],
    consumers: ['containment'],
  }),
  'agent.usage.v1': spec({
    name: Topics.AgentUsage,
    keyField: 'agentId',
    schema: agentUsageSchema,
    description: 'Periodic per-agent usage summary: last seen, actions, tools, scopes and resource types used.',
    producers: ['behavior-baseliner'],
    consumers: ['review-scheduler'],
  }),
  'containment.action.v1': spec({
    name: Topics.ContainmentAction,
    keyField: 'agentId',
    schema: containmentActionSchema,
    description: 'Containment decisions: contain (suspend and revoke), release, deprovision.',
    producers: ['containment'],
    consumers: ['provisioner', 'review-scheduler'],
  }),
  'containment.alert.v1': spec({
    name: Topics.ContainmentAlert,
    keyField: 'agentId',
    schema: containmentAlertSchema,
    description: 'Incident state for the SOC, with explanation, per-connector receipts and an OCSF Detection Finding.',
    producers: ['containment'],
    consumers: ['external:soc'],
  }),
  'review.v1': spec({
    name: Topics.Review,
    keyField: 'agentId',
    schema: reviewSchema,
    description: 'Access reviews of agents as they open, are reminded, escalate, go overdue and close.',
    producers: ['review-scheduler'],
    consumers: ['external:notifications'],
  }),
  'review.decision.v1': spec({
    name: Topics.ReviewDecision,
    keyField: 'agentId',
    schema: reviewDecisionSchema,
    description: 'Reviewer decisions: certify (minus scopes to remove), revoke, suspend.',
    producers: ['review-scheduler'],
    consumers: ['provisioner'],
  }),
};

export const TOPIC_NAMES: readonly TopicName[] = Object.values(Topics);

export function isTopicName(value: string): value is TopicName {
  return Object.prototype.hasOwnProperty.call(TOPIC_CATALOG, value);
}

export function dlqTopicOf(topic: string): string {
  return `${topic}.dlq`;
}
