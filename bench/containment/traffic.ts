import { randomUUID } from 'node:crypto';

import { Kafka, Message, Partitioners, Producer } from 'kafkajs';

import { CE_HEADERS, TOPIC_CATALOG, TopicPayloads, Topics } from '@agentgov/contracts';
import { encodeEvent } from '@agentgov/messaging';

type Activity = TopicPayloads['agent.activity.v1'];

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ACTIONS = ['crm.read', 'crm.update', 'mail.send'];
const TOOLS = ['crm-api', 'mailer'];

/** The background fleet's cohort: a new agent of it starts from the median baseline of its warm peers. */
export const FLEET = { platform: 'bench-fleet', purpose: 'background-sync' };
/** The target agents' cohort, apart from the fleet's so that neither starts from the other's baseline. */
export const TARGETS = { platform: 'langgraph', purpose: 'crm-sync' };

export function toMessage(data: Activity, id?: string): Message {
  const e = encodeEvent({ topic: Topics.AgentActivity, source: '/bench', data, ...(id ? { id } : {}) });
  return { key: e.key, value: e.value, headers: e.headers };
}

const ACTIVITY_TYPE = TOPIC_CATALOG[Topics.AgentActivity].eventType;

/**
 * encodeEvent without its schema check, for the background generator's hot loop: the generator is not the system
 * under test, and on a two-core machine every core it spares is one the services get. `sameAsEncodeEvent` checks
 * once that it still produces what encodeEvent does.
 */
function fastMessage(data: Activity, id: string): Message {
  return {
    key: data.agentId,
    value: JSON.stringify(data),
    headers: {
      [CE_HEADERS.id]: id,
      [CE_HEADERS.type]: ACTIVITY_TYPE,
      [CE_HEADERS.source]: '/bench',
      [CE_HEADERS.specversion]: '1.0',
      [CE_HEADERS.time]: new Date().toISOString(),
      [CE_HEADERS.contentType]: 'application/json',
      [CE_HEADERS.subject]: data.agentId,
    },
  };
}

function sameAsEncodeEvent(data: Activity): void {
  const fast = fastMessage(data, 'probe');
  const checked = toMessage(data, 'probe');
  const names = (m: Message) =>
    Object.keys(m.headers ?? {})
      .filter((h) => h !== CE_HEADERS.time && !h.startsWith('trace'))
      .sort()
      .join();
  if (fast.key !== checked.key || fast.value !== checked.value || names(fast) !== names(checked)) {
    throw new Error("the bench's fast activity encoding no longer matches encodeEvent");
  }
}

/** A background agent's n-th event: the same repertoire as its peers, so that nothing in it is new. */
function fleetActivity(agentId: string, n: number, t: number): Activity {
  return {
    agentId,
    occurredAt: new Date(t).toISOString(),
    action: ACTIONS[n % 3],
    resourceType: 'crm.contact',
    tool: TOOLS[n % 2],
    recordsTouched: 1 + (n % 7),
    outcome: 'allowed',
  };
}

function targetActivity(agentId: string, t: number, recordsTouched: number): Activity {
  return {
    agentId,
    occurredAt: new Date(t).toISOString(),
    action: 'crm.read',
    resourceType: 'crm.contact',
    tool: 'crm-api',
    recordsTouched,
    outcome: 'allowed',
  };
}

export function activityProducer(kafka: Kafka): Producer {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
}

/** Sends in batches of 5,000; `onSent` is told how many so far (from `sentBefore`) after each batch. */
async function sendAll(producer: Producer, topic: string, messages: Iterable<Message>, onSent?: (sent: number) => void, sentBefore = 0): Promise<number> {
  let batch: Message[] = [];
  let sent = 0;
  for (const m of messages) {
    batch.push(m);
    if (batch.length === 5000) {
      await producer.send({ topic, messages: batch, acks: 1 });
      sent += batch.length;
      onSent?.(sentBefore + sent);
      batch = [];
    }
  }
  if (batch.length) {
    await producer.send({ topic, messages: batch, acks: 1 });
    sent += batch.length;
    onSent?.(sentBefore + sent);
  }
  return sent;
}

/**
 * A target's history, as in the baseliner's burst test: 14 days of 15 events a day at 1 record, spread over the
 * seven hours around the current time of day (so that the burst comes in the agent's usual working hours and
 * only its volume is abnormal).
 */
function* targetHistory(agents: string[], now: number): Iterable<Message> {
  for (let day = 14; day >= 1; day--) {
    for (let k = 0; k < 15; k++) {
      for (const agentId of agents) yield toMessage(targetActivity(agentId, now - day * DAY + (k - 7) * 0.5 * HOUR, 1));
    }
  }
}

/**
 * The seed agents' history: a sparse week and more (one event an hour, so the seasonal profile is live), then the
 * last `denseHours` at the fleet's steady rate, which is long enough for the baseline to take that level as
 * normal. Warm seeds are what a new background agent's baseline starts from.
 */
function* seedHistory(seeds: string[], now: number, everyMs: number, denseHours: number): Iterable<Message> {
  const denseFrom = now - denseHours * HOUR;
  const n = new Map<string, number>(seeds.map((s) => [s, 0]));
  const next = (agentId: string) => {
    const i = n.get(agentId) ?? 0;
    n.set(agentId, i + 1);
    return i;
  };
  for (let t = now - 9 * DAY; t < denseFrom; t += HOUR) for (const agentId of seeds) yield toMessage(fleetActivity(agentId, next(agentId), t));
  for (let t = denseFrom; t < now - 30_000; t += everyMs) {
    for (let s = 0; s < seeds.length; s++) yield toMessage(fleetActivity(seeds[s], next(seeds[s]), t + s));
  }
}

/** Publishes the histories in the past; returns how many events. `onSent` follows how many are sent so far. */
export async function publishHistories(
  kafka: Kafka,
  topic: string,
  options: { targets: string[]; seeds: string[]; fleetEventEveryMs: number; seedDenseHours: number },
  onSent?: (sent: number) => void,
): Promise<number> {
  const producer = activityProducer(kafka);
  await producer.connect();
  try {
    const now = Date.now();
    const targets = await sendAll(producer, topic, targetHistory(options.targets, now), onSent);
    const seeds = await sendAll(producer, topic, seedHistory(options.seeds, now, options.fleetEventEveryMs, options.seedDenseHours), onSent, targets);
    return targets + seeds;
  } finally {
    await producer.disconnect();
  }
}

/**
 * Steady background activity at a fixed rate: a batch every `intervalMs`, round-robin over the fleet, event time
 * now. Open loop: a late batch is sent at once (catching up), so the achieved rate shows whether the generator
 * kept the pace.
 */
export class SteadyActivity {
  /** Events the broker acknowledged. */
  acked = 0;
  failed = 0;
  private running = false;
  private loop?: Promise<void>;
  private readonly producer: Producer;
  private readonly run = randomUUID();
  private n = 0;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly fleet: string[],
    private readonly perBatch: number,
    private readonly intervalMs: number,
  ) {
    this.producer = activityProducer(kafka);
    sameAsEncodeEvent(fleetActivity(fleet[0], 0, Date.now()));
  }

  async start(): Promise<void> {
    await this.producer.connect();
    this.running = true;
    this.loop = this.produce();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.producer.disconnect();
  }

  private async produce(): Promise<void> {
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let b = 0; this.running; b++) {
      const wait = started + b * this.intervalMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (!this.running) break;
      const t = Date.now();
      const messages: Message[] = [];
      for (let k = 0; k < this.perBatch; k++, this.n++) {
        const agentId = this.fleet[this.n % this.fleet.length];
        messages.push(fastMessage(fleetActivity(agentId, this.n, t), `${this.run}-${this.n}`));
      }
      const send: Promise<void> = this.producer.send({ topic: this.topic, messages, acks: 1 }).then(
        () => {
          this.acked += messages.length;
        },
        () => {
          this.failed += messages.length;
        },
      );
      inFlight.add(send);
      void send.finally(() => inFlight.delete(send));
      // Bounded: a broker that stalls shows as a lower achieved rate, not as unbounded memory.
      if (inFlight.size >= 20) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }
}

/**
 * A burst far above the target's baseline ("15 a day, then 500 records in ten minutes"): `size` events of 5 records
 * 6 s apart in event time, the last one now, produced at once. Returns the wall time of the produce call and the
 * ce_ids of its events.
 */
export async function produceBurst(producer: Producer, topic: string, agentId: string, size: number): Promise<{ at: number; ids: string[] }> {
  const now = Date.now();
  const ids: string[] = [];
  const messages = Array.from({ length: size }, (_, i) => {
    const id = `bench-burst-${agentId}-${i}`;
    ids.push(id);
    return toMessage(targetActivity(agentId, now - (size - 1 - i) * 6000, 5), id);
  });
  const at = Date.now();
  await producer.send({ topic, messages, acks: -1 });
  return { at, ids };
}
