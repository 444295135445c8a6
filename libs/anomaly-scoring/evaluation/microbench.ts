/**
 * Microbenchmark of the hot path: AgentBehaviorModel.update() over ~1M events of 10k agents, interleaved in time
 * order as a partitioned stream would deliver them. Events are generated up front, so only update() is timed.
 *
 *   node -r @swc-node/register libs/anomaly-scoring/evaluation/microbench.ts [agents] [eventsPerAgent]
 *
 * A first pass on separate models warms the JIT; then five passes, each on fresh models, are timed. Prints the
 * median and best ns/event (the machine's other load makes single runs noisy).
 */
import { seededRandom } from '@agentgov/test-support';

import { AgentBehaviorModel, type ActivityEvent } from '../src/agent-behavior-model';

const AGENTS = Number(process.argv[2] ?? 10_000);
const PER_AGENT = Number(process.argv[3] ?? 100);
const START = Date.UTC(2026, 0, 5);
const SPAN_MS = 3 * 24 * 3_600_000;

const ACTIONS = ['crm.records.read', 'crm.records.update', 'crm.notes.create', 'crm.search', 'tickets.read', 'kb.search'];
const RESOURCES = ['contact', 'account', 'opportunity', 'ticket', 'customer'];
const TOOLS = ['crm-api', 'crm-search', 'helpdesk-api', 'llm'];

function generate(): { agents: Int32Array; events: ActivityEvent[] } {
  const rand = seededRandom(42);
  const all: Array<{ a: number; e: ActivityEvent }> = [];
  for (let a = 0; a < AGENTS; a++) {
    // Each agent: its own sub-vocabulary, working hours, and a few bursts.
    const offset = Math.floor(rand() * 12) * 3_600_000;
    for (let i = 0; i < PER_AGENT; i++) {
      const day = Math.floor(rand() * 3);
      const t = START + day * 86_400_000 + offset + rand() * 10 * 3_600_000;
      all.push({
        a,
        e: {
          t: Math.min(t, START + SPAN_MS),
          action: ACTIONS[(a + Math.floor(rand() * 3)) % ACTIONS.length],
          resourceType: RESOURCES[(a + Math.floor(rand() * 2)) % RESOURCES.length],
          tool: TOOLS[(a + Math.floor(rand() * 2)) % TOOLS.length],
          recordsTouched: 1 + Math.floor(rand() * 3),
          outcome: rand() < 0.03 ? 'denied' : 'allowed',
        },
      });
    }
  }
  all.sort((x, y) => x.e.t - y.e.t);
  // Re-allocated in stream order, as a consumer decoding a stream would hold them (the model state stays scattered).
  return { agents: Int32Array.from(all.map((x) => x.a)), events: all.map((x) => ({ ...x.e })) };
}

function pass(agents: Int32Array, events: ActivityEvent[]): { ns: number; checksum: number } {
  const models = Array.from({ length: AGENTS }, () => new AgentBehaviorModel());
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i++) checksum += models[agents[i]].update(events[i]);
  const ns = Number(process.hrtime.bigint() - t0);
  return { ns, checksum };
}

const { agents, events } = generate();
pass(agents, events); // JIT warm-up
const heapBefore = process.memoryUsage().heapUsed;
const runs = [0, 1, 2, 3, 4].map(() => pass(agents, events));
const perEvent = runs.map((r) => r.ns / events.length).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    agents: AGENTS,
    events: events.length,
    medianNsPerEvent: Math.round(perEvent[2]),
    bestNsPerEvent: Math.round(perEvent[0]),
    medianEventsPerSecond: Math.round(1e9 / perEvent[2]),
    runsNsPerEvent: runs.map((r) => Math.round(r.ns / events.length)),
    checksum: Math.round(runs[0].checksum * 1000) / 1000,
    heapMB: Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e6),
    node: process.version,
  }),
);
