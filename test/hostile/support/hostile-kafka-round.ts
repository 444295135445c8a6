/**
 * One round of hostile Kafka traffic: for every topic a service consumes, valid events whose effects can be
 * asserted, interleaved with malformed, oversized, wrongly typed, mis-headed, mis-keyed, deeply nested, unicode,
 * replayed and forged messages. Deterministic for a seed.
 */
import { createHash } from 'node:crypto';

import { CE_HEADERS, SERVICE_NAMES, ServiceName, TOPIC_CATALOG, TOPIC_NAMES, TopicName, TopicPayloads, Topics } from '@agentgov/contracts';
import { encodeEvent, MAX_EVENT_BYTES } from '@agentgov/messaging';
import { SeededRandom } from '@agentgov/test-support';

/** Carried by every generated message (the DLQ keeps the original headers), to match dead letters to their cause. */
export const HOSTILE_ID_HEADER = 'x-hostile-id';
export const HOSTILE_SOURCE = '/hostile-tests';

export const CONSUMING_SERVICES = SERVICE_NAMES;
export type ConsumingService = ServiceName;

/** The services that consume a topic, as the catalog says (external consumers are not ours). */
export function consumersOf(topic: TopicName): ConsumingService[] {
  return TOPIC_CATALOG[topic].consumers.filter((c): c is ConsumingService => (CONSUMING_SERVICES as readonly string[]).includes(c));
}

/** Every topic one of the services consumes. */
export const INBOUND_TOPICS: readonly TopicName[] = TOPIC_NAMES.filter((topic) => consumersOf(topic).length > 0);

export interface HostileMessage {
  /** Unique in the run; also the x-hostile-id header. */
  id: string;
  topic: TopicName;
  /** The kind of hostility (or 'valid'). */
  label: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** ce_id as sent, when it has a usable one. */
  ceId?: string;
  /** Services whose consumer must dead-letter it, with `reason` in dlq_error; the others must process it. */
  deadLetteredBy: ConsumingService[];
  reason?: RegExp;
  /** A distinct event every consumer not dead-lettering it must apply, once. */
  valid: boolean;
  /** An earlier valid event's ce_id, sent again (same or altered content): must have no effect of its own. */
  replayOf?: string;
  /** Over ~200 KB: produced on its own (a broker record batch holds at most 1 MB). */
  large: boolean;
}

/** Who the round's events are about; fresh ids each round, so every effect is attributable. */
export interface RoundWorld {
  round: string;
  now: number;
  /** Owners whose only valid event is a suspension. */
  owners: string[];
  /** Owners who get a suspension, a forged far-future reinstatement, then a termination. */
  futureOwners: string[];
  /** Registered (agent.lifecycle) before the round; the activity, usage and actions are theirs. */
  setupAgents: string[];
  /** Registered through the provisioner's API before the round: review decisions and containment actions. */
  provisionerAgents: string[];
  /** Announced in the round: registered, and the second half then deprovisioned. */
  lifecycleAgents: string[];
  /** Ids only anomalies mention. */
  shadowAgents: string[];
}

export interface RoundExpectations {
  identityEvents: Array<{ ceId: string; ownerId: string; kind: string }>;
  ownersSuspended: string[];
  futureOwnersTerminated: string[];
  lifecycleFinal: Map<string, 'active' | 'deprovisioned'>;
  activityCount: Map<string, number>;
  shadowAgents: string[];
  observedEpisodes: string[];
  usageLastSeen: Map<string, string>;
  releasedAgents: string[];
  suspendedProvisionerAgents: string[];
}

export interface HostileRound {
  messages: HostileMessage[];
  expect: RoundExpectations;
}

export interface RoundSizes {
  /** Refused messages per topic (at least one of each kind). */
  badPerTopic: number;
  /** Of those, messages above the size limit (~260-280 KB each). */
  oversizedPerTopic: number;
  /** Activity events per setup agent. */
  activityPerAgent: number;
}

type Data = Record<string, unknown>;
type Headers = Record<string, string>;

/** A bad variant of a valid event: the record to send and why every consumer must refuse it. */
interface Variant {
  label: string;
  large?: boolean;
  build(): { key: string | null; value: Buffer | string | null; headers: Headers };
  reason: RegExp;
}

const TEXT_FIELD: Record<TopicName, string> = {
  'identity.lifecycle.v1': 'reason',
  'agent.lifecycle.v1': 'name',
  'agent.activity.v1': 'action',
  'agent.anomaly.v1': 'summary',
  'agent.usage.v1': 'resourceTypes',
  'containment.action.v1': 'reason',
  'containment.alert.v1': 'agentId',
  'review.v1': 'agentId',
  'review.decision.v1': 'reason',
};

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function generateRound(world: RoundWorld, seed: number, sizes: RoundSizes): HostileRound {
  // The seed decides what is sent; ids also depend on the round's name, so that no two runs share an event id
  // (the database and its inboxes are shared with other runs).
  const rng = new SeededRandom(seed);
  let ids = 0;
  rng.uuid = () => uuidFrom(createHash('sha256').update(`${world.round}:${seed}:${++ids}`).digest());
  let sequence = 0;
  const nextId = (label: string) => `${world.round}-${++sequence}-${label}`;
  const iso = (t: number) => new Date(t).toISOString();
  const now = world.now;

  function record(topic: TopicName, data: Data, ceId = rng.uuid(), source = HOSTILE_SOURCE) {
    const encoded = encodeEvent({ topic, data: data as unknown as TopicPayloads[TopicName], source, id: ceId, time: new Date(now) });
    return { key: encoded.key, value: encoded.value, headers: encoded.headers, ceId };
  }
  function message(
    topic: TopicName,
    label: string,
    built: { key: string | null; value: Buffer | string | null; headers: Headers; ceId?: string },
    rest: Partial<HostileMessage>,
  ): HostileMessage {
    const id = nextId(label);
    const value = built.value === null ? null : Buffer.isBuffer(built.value) ? built.value : Buffer.from(built.value, 'utf8');
    return {
      id,
      topic,
      label,
      key: built.key,
      value,
      headers: { ...built.headers, [HOSTILE_ID_HEADER]: id },
      ceId: built.ceId,
      deadLetteredBy: [],
      valid: false,
      large: (value?.length ?? 0) > 200_000,
      ...rest,
    };
  }
  const valid = (topic: TopicName, data: Data, label = 'valid', tweak?: (h: Headers) => Headers, source?: string) => {
    const r = record(topic, data, undefined, source);
    return message(topic, label, { ...r, headers: tweak ? tweak(r.headers) : r.headers }, { valid: true, ceId: r.ceId });
  };
  const replay = (original: HostileMessage, altered?: Data): HostileMessage => {
    const ceId = original.ceId!;
    const built = altered ? record(original.topic, altered, ceId) : { key: original.key, value: original.value, headers: { ...original.headers }, ceId };
    // An altered replay reuses a valid event's id with other content (id squatting): every inbox consumer
    // dead-letters it with the reason. The baseliner's activity scoring keeps no inbox: it counts each id once.
    const squatting = altered ? consumersOf(original.topic).filter(() => original.topic !== Topics.AgentActivity) : [];
    return message(original.topic, altered ? 'replay-altered' : 'replay', built, {
      replayOf: ceId,
      ceId,
      deadLetteredBy: squatting,
      ...(squatting.length ? { reason: new RegExp(`event id ${ceId} was already used by another event .* with different content`) } : {}),
    });
  };

  // ---- valid events, per subject in the order they happen ----------------------------------------------------
  const units: HostileMessage[][] = [];
  const expect: RoundExpectations = {
    identityEvents: [],
    ownersSuspended: world.owners,
    futureOwnersTerminated: world.futureOwners,
    lifecycleFinal: new Map(),
    activityCount: new Map(),
    shadowAgents: world.shadowAgents,
    observedEpisodes: [],
    usageLastSeen: new Map(),
    releasedAgents: [],
    suspendedProvisionerAgents: world.provisionerAgents,
  };
  const withReplays = (unit: HostileMessage[], original: HostileMessage, altered: Data | undefined) => {
    if (rng.chance(0.2)) unit.push(replay(original));
    if (altered && rng.chance(0.15)) unit.push(replay(original, altered));
    return unit;
  };

  const identity = (ownerId: string, kind: string, t: number): Data => ({
    kind,
    ownerId,
    source: 'hostile-hr',
    occurredAt: iso(t),
    reason: `hostile test ${kind}`,
  });
  world.owners.forEach((ownerId, i) => {
    const event = identity(ownerId, 'owner.suspended', now - 60_000 + i);
    const first = valid(Topics.IdentityLifecycle, event);
    expect.identityEvents.push({ ceId: first.ceId!, ownerId, kind: 'owner.suspended' });
    // A replay of the same id claiming a termination must change nothing.
    units.push(withReplays([first], first, { ...event, kind: 'owner.terminated' }));
  });
  world.futureOwners.forEach((ownerId, i) => {
    const suspended = valid(Topics.IdentityLifecycle, identity(ownerId, 'owner.suspended', now - 50_000 + i));
    // Event time orders an owner's changes: one dated a year ahead would make a consumer ignore every real change
    // after it. The provisioner and the review-scheduler, which both order owners' changes by it, refuse it.
    const future = record(Topics.IdentityLifecycle, identity(ownerId, 'owner.reinstated', now + 365 * 86_400_000));
    const forged = message(Topics.IdentityLifecycle, 'forged-far-future', future, {
      ceId: future.ceId,
      deadLetteredBy: ['provisioner', 'review-scheduler'],
      reason: /^NonRetryableError: occurredAt is in the future$/,
    });
    const terminated = valid(Topics.IdentityLifecycle, identity(ownerId, 'owner.terminated', now - 40_000 + i));
    expect.identityEvents.push({ ceId: suspended.ceId!, ownerId, kind: 'owner.suspended' }, { ceId: terminated.ceId!, ownerId, kind: 'owner.terminated' });
    units.push([suspended, forged, terminated]);
  });

  const lifecycle = (agentId: string, kind: string, status: string, t: number, extra: Data = {}): Data => ({
    kind,
    agentId,
    ownerId: `owner-${world.round}`,
    name: `hostile agent ${agentId.slice(0, 8)}`,
    purpose: 'hostile input test',
    platform: 'hostile-tests',
    riskTier: 'low',
    scopes: ['crm:read'],
    status,
    occurredAt: iso(t),
    cause: { type: 'api', actor: 'hostile-tests' },
    ...extra,
  });
  // Valid, though each is odd in its own way; all must be processed like any other event.
  const oddButValid: Array<[string, (h: Headers) => Headers, Data, string?]> = [
    ['unicode-text', (h) => h, { name: '🤖 agent ‮reversed‬ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 e\u0301 日本語 \u200d' }],
    ['padded-just-below-limit', (h) => h, {}],
    // Kafka carries no proof of who produced a message: ce_source is the producer's own claim.
    ['forged-source', (h) => h, {}, '/agentgov/mallory'],
    ['no-ce_source', (h) => omit(h, CE_HEADERS.source), {}],
    ['garbage-ce_time', (h) => ({ ...h, [CE_HEADERS.time]: 'yesterday at noon' }), {}],
    ['garbage-traceparent', (h) => ({ ...h, traceparent: '00-zzzz-not-a-trace-01', tracestate: '%%%' }), {}],
    ['many-extra-headers', (h) => ({ ...h, ...Object.fromEntries(Array.from({ length: 100 }, (_, k) => [`x-junk-${k}`, rng.ascii(40)])) }), {}],
  ];
  world.lifecycleAgents.forEach((agentId, i) => {
    const odd = i < oddButValid.length ? oddButValid[i] : undefined;
    const registeredData = lifecycle(agentId, 'agent.registered', 'active', now - 40_000, odd?.[2]);
    let registered = valid(Topics.AgentLifecycle, registeredData, odd?.[0] ?? 'valid', odd?.[1], odd?.[3]);
    if (odd?.[0] === 'padded-just-below-limit') {
      const text = registered.value!.toString('utf8');
      const padded = Buffer.from(`${text.slice(0, -1)}${' '.repeat(MAX_EVENT_BYTES - Buffer.byteLength(text) - 16)}}`, 'utf8');
      registered = { ...registered, value: padded, large: true };
    }
    const unit = withReplays([registered], registered, { ...registeredData, kind: 'agent.suspended', status: 'suspended' });
    if (i >= world.lifecycleAgents.length / 2) {
      const deprovisioned = valid(
        Topics.AgentLifecycle,
        lifecycle(agentId, 'agent.deprovisioned', 'deprovisioned', now - 39_000, { statusReason: 'hostile test' }),
      );
      unit.push(...withReplays([deprovisioned], deprovisioned, undefined));
      expect.lifecycleFinal.set(agentId, 'deprovisioned');
    } else {
      expect.lifecycleFinal.set(agentId, 'active');
    }
    units.push(unit);
  });

  // Activity in the last minutes (one usage window of a week in the tests), each agent's events in order; a replay
  // follows its original within a few of the agent's events.
  const activityStart = Math.max(now - 10 * 60_000, Math.floor(now / (7 * 86_400_000)) * 7 * 86_400_000 + 1000);
  const activity = (agentId: string, t: number, action = 'crm.records.read'): Data => ({
    agentId,
    occurredAt: iso(t),
    action,
    resourceType: 'crm.contact',
    resourceId: `contact-${rng.int(1, 9999)}`,
    tool: 'crm-api',
    recordsTouched: rng.int(1, 5),
    outcome: 'allowed',
    scope: 'crm:read',
  });
  world.setupAgents.forEach((agentId, a) => {
    const unit: HostileMessage[] = [];
    for (let k = 0; k < sizes.activityPerAgent; k++) {
      const event = valid(
        Topics.AgentActivity,
        activity(agentId, activityStart + a * 1000 + k * 20_000, k % 3 === 0 ? 'crm.records.read' : 'crm.records.update'),
      );
      unit.push(event);
      if (rng.chance(0.15)) unit.splice(unit.length - rng.int(0, Math.min(3, unit.length - 1)), 0, replay(event));
      else if (rng.chance(0.05)) unit.push(replay(event, activity(agentId, activityStart + a * 1000 + k * 20_000, 'crm.records.export')));
    }
    // The splice above may put a replay before its original; keep every replay after it.
    units.push(orderReplaysAfterOriginals(unit));
    expect.activityCount.set(agentId, sizes.activityPerAgent);
  });

  const anomaly = (agentId: string, extra: Data): Data => ({
    agentId,
    kind: 'shadow-agent',
    score: 1,
    episodeId: rng.uuid(),
    episodeState: 'started',
    observedAt: iso(now - 30_000),
    features: [{ name: 'unregistered-agent', expected: 0, observed: 1, contribution: 1 }],
    summary: 'activity from an id the registry never announced',
    ...extra,
  });
  world.shadowAgents.forEach((agentId) => {
    const data = anomaly(agentId, {});
    const first = valid(Topics.AgentAnomaly, data);
    units.push(withReplays([first], first, { ...data, kind: 'behavior', score: 0.999, riskTier: 'critical' }));
  });
  world.setupAgents.slice(0, 10).forEach((agentId) => {
    const data = anomaly(agentId, { kind: 'behavior', score: 0.2, riskTier: 'low', ownerId: `owner-${world.round}`, summary: 'slightly unusual' });
    expect.observedEpisodes.push(data.episodeId as string);
    units.push([valid(Topics.AgentAnomaly, data)]);
  });

  world.setupAgents.forEach((agentId, a) => {
    const lastSeenAt = iso(now - 5 * 60_000 + a * 1000);
    const data: Data = {
      agentId,
      windowStart: iso(now - 3_600_000),
      windowEnd: iso(now),
      lastSeenAt,
      actions: 3,
      actionsByName: { 'crm.records.read': 3 },
      toolsUsed: ['crm-api'],
      scopesUsed: ['crm:read'],
      resourceTypes: ['crm.contact'],
    };
    const first = valid(Topics.AgentUsage, data);
    expect.usageLastSeen.set(agentId, lastSeenAt);
    units.push(withReplays([first], first, { ...data, lastSeenAt: iso(now + 86_400_000) }));
  });

  const action = (agentId: string, kind: string): Data => ({
    actionId: rng.uuid(),
    agentId,
    kind,
    reason: 'hostile test',
    requestedBy: { type: 'analyst', actor: 'soc-hostile' },
    occurredAt: iso(now - 20_000),
  });
  world.setupAgents.slice(0, 10).forEach((agentId) => {
    const first = valid(Topics.ContainmentAction, action(agentId, 'release'));
    expect.releasedAgents.push(agentId);
    units.push(withReplays([first], first, undefined));
  });
  const half = Math.ceil(world.provisionerAgents.length / 2);
  world.provisionerAgents.slice(0, half).forEach((agentId) => {
    const data = action(agentId, 'contain');
    const first = valid(Topics.ContainmentAction, data);
    units.push(withReplays([first], first, { ...data, kind: 'deprovision' }));
  });
  world.provisionerAgents.slice(half).forEach((agentId) => {
    const data: Data = {
      reviewId: rng.uuid(),
      agentId,
      decision: 'suspend',
      removeScopes: [],
      decidedBy: 'hostile-reviewer',
      reason: 'hostile test',
      occurredAt: iso(now - 10_000),
    };
    const first = valid(Topics.ReviewDecision, data);
    units.push(withReplays([first], first, { ...data, decision: 'revoke' }));
  });

  // ---- refused messages: every kind at least once per topic, then at random ----------------------------------
  // Each targets a real subject of the round with a harmful payload, so one that slipped through would show.
  const harmful: Record<string, () => Data> = {
    'identity.lifecycle.v1': () => identity(rng.pick(world.owners), 'owner.terminated', now - 1000),
    'agent.lifecycle.v1': () => lifecycle(rng.pick(world.lifecycleAgents), 'agent.suspended', 'suspended', now),
    'agent.activity.v1': () => activity(rng.pick(world.setupAgents), activityStart + 5000),
    'agent.anomaly.v1': () => anomaly(rng.pick(world.shadowAgents), { kind: 'behavior', score: 0.999, riskTier: 'critical' }),
    'agent.usage.v1': () => ({
      agentId: rng.pick(world.setupAgents),
      windowStart: iso(now - 3_600_000),
      windowEnd: iso(now),
      lastSeenAt: iso(now + 86_400_000),
      actions: 1,
      toolsUsed: [],
      scopesUsed: ['crm:admin'],
      resourceTypes: [],
    }),
    'containment.action.v1': () => action(rng.pick(world.provisionerAgents), 'deprovision'),
    'review.decision.v1': () => ({
      reviewId: rng.uuid(),
      agentId: rng.pick(world.provisionerAgents),
      decision: 'revoke',
      removeScopes: [],
      decidedBy: 'mallory',
      occurredAt: iso(now),
    }),
  };
  for (const topic of INBOUND_TOPICS) {
    const variants = badVariants(topic, harmful[topic]!, rng, world);
    const cheap = variants.filter((v) => !v.large);
    const chosen = [...variants];
    // More of the largest, so that memory kept per message would show between rounds.
    const oversized = variants.find((v) => v.label === 'oversized')!;
    for (let i = 1; i < sizes.oversizedPerTopic; i++) chosen.push(oversized);
    while (chosen.length < sizes.badPerTopic) chosen.push(rng.pick(cheap));
    for (const variant of chosen) {
      const built = variant.build();
      const ceId = built.headers[CE_HEADERS.id];
      units.push([
        message(
          topic,
          variant.label,
          { ...built, ceId: ceId && ceId.length <= 200 ? ceId : undefined },
          {
            deadLetteredBy: consumersOf(topic),
            reason: variant.reason,
            large: Boolean(variant.large),
          },
        ),
      ]);
    }
  }

  return { messages: rng.interleave(units), expect };

  /** The ways a message can be wrong, built from a valid (and harmful) event of the topic. */
  function badVariants(topic: TopicName, base: () => Data, r: SeededRandom, w: RoundWorld): Variant[] {
    const spec = TOPIC_CATALOG[topic];
    const schema = spec.schema as unknown as { required: string[]; properties: Record<string, { type?: string }> };
    const text = TEXT_FIELD[topic];
    const fresh = () => record(topic, base());
    const withValue = (value: Buffer | string | null) => () => ({ ...fresh(), value });
    const withData = (edit: (d: Data) => Data) => () => {
      const r0 = fresh();
      return { ...r0, value: JSON.stringify(edit(JSON.parse(r0.value))) };
    };
    const withHeaders = (edit: (h: Headers) => Headers) => () => {
      const r0 = fresh();
      return { ...r0, headers: edit(r0.headers) };
    };
    const schemaViolation = (path: string, rest = '') => new RegExp(`^EventDecodeError: schema violation: ${escape(path)}${rest}`);
    const notJson = /^EventDecodeError: value is not JSON: /;
    const otherTopic = r.pick(TOPIC_NAMES.filter((t) => t !== topic));
    const wrongTyped = (field: string): unknown => {
      const type = schema.properties[field]?.type;
      return type === 'string'
        ? r.pick([42, true, { nested: 'x' }, ['x'], null])
        : type === 'array'
          ? r.pick(['x', { a: 1 }, 7])
          : type === 'object'
            ? r.pick(['x', [1], 3])
            : r.pick(['12', true, { n: 1 }, [1]]);
    };
    const requiredField = r.pick(schema.required);
    const typedField = r.pick(schema.required);
    const setText = (value: string) => (d: Data) => ({ ...d, [text]: Array.isArray(d[text]) ? [value] : value });
    const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const over = MAX_EVENT_BYTES + r.int(1, 20_000);

    return [
      { label: 'not-json', build: withValue(`{${r.ascii(r.int(5, 200))}`), reason: notJson },
      { label: 'empty-value', build: withValue(null), reason: /^EventDecodeError: message has no value$/ },
      { label: 'json-array', build: withValue('[1,2,3]'), reason: schemaViolation('(root): must be object') },
      { label: 'json-string', build: withValue('"an event"'), reason: schemaViolation('(root): must be object') },
      { label: 'json-number', build: withValue('4.2e+1'), reason: schemaViolation('(root): must be object') },
      { label: 'json-null', build: withValue('null'), reason: schemaViolation('(root): must be object') },
      { label: 'wrong-type', build: withData((d) => ({ ...d, [typedField]: wrongTyped(typedField) })), reason: schemaViolation(`/${typedField}`) },
      // Where the schema has conditionals on the missing member (kind → status), the reason names what they require.
      {
        label: 'missing-field',
        build: withData((d) => omit(d, requiredField)),
        reason: schemaViolation('/', `(${escape(requiredField)}: is required|[\\w/]+: must )`),
      },
      { label: 'extra-field', build: withData((d) => ({ ...d, isAdmin: true })), reason: schemaViolation('/isAdmin: is not allowed') },
      {
        label: 'oversized',
        large: true,
        build: withData((d) => ({ ...d, padding: 'x'.repeat(over) })),
        reason: /^EventDecodeError: message value is \d+ bytes, above the 262144 byte limit$/,
      },
      {
        label: 'field-too-long-below-limit',
        large: true,
        build: withData(setText('y'.repeat(MAX_EVENT_BYTES - 4096))),
        reason: schemaViolation(`/${text}`, '.*must NOT have more than'),
      },
      {
        label: 'ce_type-of-another-topic',
        build: withHeaders((h) => ({ ...h, [CE_HEADERS.type]: TOPIC_CATALOG[otherTopic].eventType })),
        reason: new RegExp(`^EventDecodeError: header ce_type is "${escape(TOPIC_CATALOG[otherTopic].eventType)}", expected "${escape(spec.eventType)}"$`),
      },
      { label: 'no-ce_type', build: withHeaders((h) => omit(h, CE_HEADERS.type)), reason: /^EventDecodeError: header ce_type is "", expected/ },
      { label: 'no-ce_id', build: withHeaders((h) => omit(h, CE_HEADERS.id)), reason: /^EventDecodeError: missing header ce_id$/ },
      { label: 'empty-ce_id', build: withHeaders((h) => ({ ...h, [CE_HEADERS.id]: '' })), reason: /^EventDecodeError: missing header ce_id$/ },
      {
        label: 'ce_id-too-long',
        build: withHeaders((h) => ({ ...h, [CE_HEADERS.id]: r.ascii(r.int(201, 600)) })),
        reason: /^EventDecodeError: header ce_id longer than 200 characters$/,
      },
      {
        label: 'specversion-0.3',
        build: withHeaders((h) => ({ ...h, [CE_HEADERS.specversion]: '0.3' })),
        reason: /^EventDecodeError: header ce_specversion must be "1\.0"$/,
      },
      {
        label: 'no-specversion',
        build: withHeaders((h) => omit(h, CE_HEADERS.specversion)),
        reason: /^EventDecodeError: header ce_specversion must be "1\.0"$/,
      },
      {
        label: 'key-of-another-subject',
        build: () => {
          const r0 = fresh();
          return { ...r0, key: r.pick([...w.setupAgents, ...w.owners, ...w.lifecycleAgents].filter((k) => k !== r0.key)) };
        },
        reason: new RegExp(`^EventDecodeError: message key ".+" does not match ${spec.keyField} "`),
      },
      { label: 'no-key', build: () => ({ ...fresh(), key: null }), reason: new RegExp(`^EventDecodeError: message key "" does not match ${spec.keyField} "`) },
      { label: 'deeply-nested-member', build: withValue(`{"${spec.keyField}":"x","nested":${deep(5000)}}`), reason: /^EventDecodeError: schema violation: / },
      { label: 'deeply-nested-array', build: withValue(`${'['.repeat(50_000)}${']'.repeat(50_000)}`), reason: schemaViolation('(root): must be object') },
      { label: 'byte-order-mark', build: () => ({ ...fresh(), value: `\ufeff${fresh().value}` }), reason: notJson },
      { label: 'invalid-utf8', build: withValue(Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d])), reason: notJson },
      { label: 'nul-in-text', build: () => escapedText(topic, base(), text, '\\u0000'), reason: unstorable(text) },
      { label: 'lone-surrogate-in-text', build: () => escapedText(topic, base(), text, '\\ud800'), reason: unstorable(text) },
      {
        label: 'unicode-lookalike-key-field',
        build: withData((d) => ({ ...d, [spec.keyField]: `${String(d[spec.keyField]).slice(0, 8)}\uff10\u0430` })),
        reason: schemaViolation(`/${spec.keyField}`),
      },
    ];
  }

  /** The event's JSON with an escape sequence inside its free-text field (JSON.stringify would never write one). */
  function escapedText(topic: TopicName, data: Data, field: string, escapeSequence: string) {
    const marked = Array.isArray(data[field]) ? { ...data, [field]: ['\u0001MARK'] } : { ...data, [field]: 'text \u0001MARK' };
    const r0 = record(topic, marked);
    return { ...r0, value: r0.value.replace('\\u0001MARK', `mark${escapeSequence}`) };
  }
}

function uuidFrom(bytes: Buffer): string {
  const hex = bytes.subarray(0, 16).toString('hex').split('');
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function unstorable(field: string): RegExp {
  return new RegExp(`^EventDecodeError: /${escape(field)}(/0)?: contains a NUL character or an unpaired surrogate, which cannot be stored$`);
}

function omit<T extends Record<string, unknown>>(object: T, name: string): T {
  const copy = { ...object };
  delete copy[name];
  return copy;
}

function orderReplaysAfterOriginals(unit: HostileMessage[]): HostileMessage[] {
  const out: HostileMessage[] = [];
  const waiting = new Map<string, HostileMessage[]>();
  const seen = new Set<string>();
  for (const m of unit) {
    if (m.replayOf && !seen.has(m.replayOf)) {
      waiting.set(m.replayOf, [...(waiting.get(m.replayOf) ?? []), m]);
      continue;
    }
    out.push(m);
    if (m.valid && m.ceId) {
      seen.add(m.ceId);
      out.push(...(waiting.get(m.ceId) ?? []));
      waiting.delete(m.ceId);
    }
  }
  return out;
}
