import { seededRandom } from '@agentgov/test-support';

import type { ActivityEvent } from '../src/agent-behavior-model';

// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { abs, ceil, cos, exp, floor, imul, log, max, min, pow, round, sqrt } = Math;

/**
 * A seeded, deterministic generator of AI-agent activity: populations of agents of several archetypes with daily
 * and weekly rhythms, batch jobs, bursts that are normal for the agent, slow growth, new agents joining mid-run,
 * a baseline of denials, occasional legitimate new tools (labelled benign), and injected anomalies of every kind
 * (labelled). Nothing here is visible to the model: it only ever sees ActivityEvents.
 *
 * Every agent-day is generated from its own seed (seed, agent, day), so the traffic does not depend on the order in
 * which it is consumed.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
/** A Monday, 00:00 UTC. */
export const EPOCH = Date.UTC(2026, 0, 5);

export type Archetype = 'crm-assistant' | 'support-bot' | 'etl-batch' | 'weekly-reporter' | 'research-assistant';
export const ARCHETYPES: Archetype[] = ['crm-assistant', 'support-bot', 'etl-batch', 'weekly-reporter', 'research-assistant'];

export type AnomalyKind = 'records-burst' | 'rate-burst' | 'denial-spike' | 'new-tool' | 'new-action' | 'new-resource-type' | 'off-hours' | 'exfiltration';
export const ANOMALY_KINDS: AnomalyKind[] = [
  'records-burst',
  'rate-burst',
  'denial-spike',
  'new-tool',
  'new-action',
  'new-resource-type',
  'off-hours',
  'exfiltration',
];

type Weighted = Array<[string, number]>;

interface Vocabulary {
  actions: Weighted;
  resources: Weighted;
  tools: Weighted;
  /** The action a bulk read / a runaway loop uses. */
  readAction: string;
  listAction: string;
}

/** Per-archetype shape of the traffic; per-agent numbers are drawn around these. */
interface ArchetypeProfile {
  share: number;
  vocabulary: Vocabulary;
  denyRate: [number, number];
  /** Injected records burst: records in ten minutes, and records per event. */
  burstRecords: number;
  burstRecordsPerEvent: number;
  /** Busiest normal ten minutes (events), from which the injected rate burst is scaled (×10, at least 100). */
  peakTenMinuteEvents: number;
}

export const PROFILES: Record<Archetype, ArchetypeProfile> = {
  // Office-hours CRM assistant, ~7 events and ~15 records a working day: the "15 a day, then 500 in ten minutes" agent.
  'crm-assistant': {
    share: 0.3,
    vocabulary: {
      actions: [
        ['crm.records.read', 0.45],
        ['crm.records.update', 0.25],
        ['crm.notes.create', 0.15],
        ['crm.search', 0.15],
      ],
      resources: [
        ['contact', 0.6],
        ['account', 0.3],
        ['opportunity', 0.1],
      ],
      tools: [
        ['crm-api', 0.8],
        ['crm-search', 0.2],
      ],
      readAction: 'crm.records.read',
      listAction: 'crm.search',
    },
    denyRate: [0.01, 0.03],
    burstRecords: 500,
    burstRecordsPerEvent: 1,
    peakTenMinuteEvents: 3,
  },
  // High-volume customer-support bot: 24/7 with a daytime peak, quieter weekends, 1,000-3,000 events a day.
  'support-bot': {
    share: 0.15,
    vocabulary: {
      actions: [
        ['tickets.read', 0.4],
        ['tickets.reply', 0.25],
        ['kb.search', 0.25],
        ['tickets.update', 0.1],
      ],
      resources: [
        ['ticket', 0.6],
        ['customer', 0.25],
        ['kb-article', 0.15],
      ],
      tools: [
        ['helpdesk-api', 0.6],
        ['kb-search', 0.25],
        ['llm', 0.15],
      ],
      readAction: 'tickets.read',
      listAction: 'kb.search',
    },
    denyRate: [0.005, 0.02],
    burstRecords: 1500,
    burstRecordsPerEvent: 3,
    peakTenMinuteEvents: 45,
  },
  // Nightly ETL: a few health checks an hour in the day, and a 30-50 minute batch of 200-400 bulk events
  // (50-500 records each) starting between 01:00 and 03:15 every night.
  'etl-batch': {
    share: 0.1,
    vocabulary: {
      actions: [
        ['warehouse.extract', 0.5],
        ['warehouse.load', 0.4],
        ['metadata.read', 0.1],
      ],
      resources: [
        ['table', 0.7],
        ['dataset', 0.3],
      ],
      tools: [
        ['sql', 0.6],
        ['object-store', 0.4],
      ],
      readAction: 'warehouse.extract',
      listAction: 'metadata.read',
    },
    denyRate: [0.002, 0.005],
    burstRecords: 5000,
    burstRecordsPerEvent: 50,
    peakTenMinuteEvents: 3,
  },
  // Weekly reporter: light office-hours use, and every Monday at 07:00 or 08:00 a report reading 2,000-8,000 records.
  'weekly-reporter': {
    share: 0.15,
    vocabulary: {
      actions: [
        ['reports.query', 0.5],
        ['records.read', 0.3],
        ['reports.publish', 0.2],
      ],
      resources: [
        ['dataset', 0.5],
        ['dashboard', 0.3],
        ['account', 0.2],
      ],
      tools: [
        ['bi-api', 0.7],
        ['sql', 0.3],
      ],
      readAction: 'records.read',
      listAction: 'reports.query',
    },
    denyRate: [0.01, 0.02],
    burstRecords: 1500,
    burstRecordsPerEvent: 5,
    peakTenMinuteEvents: 4,
  },
  // Research assistant: bursty sessions of 20-200 events over 10-60 minutes at random times of the working day.
  'research-assistant': {
    share: 0.3,
    vocabulary: {
      actions: [
        ['docs.read', 0.4],
        ['web.search', 0.3],
        ['docs.summarize', 0.2],
        ['notes.write', 0.1],
      ],
      resources: [
        ['document', 0.6],
        ['webpage', 0.3],
        ['note', 0.1],
      ],
      tools: [
        ['browser', 0.4],
        ['docs-api', 0.4],
        ['llm', 0.2],
      ],
      readAction: 'docs.read',
      listAction: 'web.search',
    },
    denyRate: [0.02, 0.04],
    burstRecords: 3000,
    burstRecordsPerEvent: 10,
    peakTenMinuteEvents: 100,
  },
};

const NEW_TOOLS = ['shell-exec', 'ssh-client', 'raw-http', 'ftp-upload', 'db-admin', 'browser-automation', 'email-send'];
const NEW_ACTIONS = ['iam.keys.create', 'users.export', 'files.delete', 'permissions.grant', 'audit.disable', 'secrets.read'];
const NEW_RESOURCES = ['secret', 'payroll', 'credential', 'audit-log', 'hr-record', 'customer-pii'];
const BENIGN_TOOLS = ['vector-search', 'calendar-api', 'translation-api', 'pdf-render'];

export interface AgentSpec {
  index: number;
  id: string;
  archetype: Archetype;
  /** When the agent starts (EPOCH for the initial population). */
  joinAt: number;
  isNew: boolean;
  /** Weekly volume growth (0 for most agents). */
  growthPerWeek: number;
  denyRate: number;
  /** Working-day start hour (office archetypes), batch start hour (ETL), report hour (reporter). */
  startHour: number;
  /** Typical daily volume scale (events/day for the support bot, sessions/day for research, ...). */
  volume: number;
  seed: number;
  /**
   * Hours of day at least two hours away from any hour the agent can normally be active in (where an off-hours
   * anomaly goes: 03:00 for a nine-to-five agent, not 18:00, which is a long working day).
   */
  offHours: number[];
}

export interface InjectedAnomaly {
  id: number;
  agent: number;
  kind: AnomalyKind;
  start: number;
  /** Time of the last anomalous event. */
  end: number;
  events: number;
  records: number;
  /** Whether the agent had joined less than 7 days before. */
  newAgent: boolean;
  /** The never-seen tool, action or resource type it uses (novelty kinds and exfiltration). */
  item?: string;
}

/** A legitimate first use of a tool the agent then keeps using (labelled benign: an alarm on it is a false alarm). */
export interface BenignAdoption {
  agent: number;
  at: number;
  tool: string;
}

export interface LabelledEvent extends ActivityEvent {
  /** Id of the injected anomaly this event belongs to, or -1. */
  anomaly: number;
}

export interface PopulationConfig {
  seed: number;
  /** Initial population (present from the start). */
  agents: number;
  /** Agents joining during the measured period, as a share of the initial population. */
  newAgentShare: number;
  burnInDays: number;
  measuredDays: number;
  anomaliesPerKind: number;
  /** Legitimate new-tool adoptions per 1,000 measured agent-days. */
  benignAdoptionsPer1000AgentDays: number;
  /** Share of agents whose volume grows. */
  growingShare: number;
}

export interface Population {
  config: PopulationConfig;
  agents: AgentSpec[];
  anomalies: InjectedAnomaly[];
  adoptions: BenignAdoption[];
  /** Start and end of the measured period. */
  measuredFrom: number;
  measuredTo: number;
}

export function mix(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = imul(h ^ (x >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function pick(rand: () => number, xs: Weighted): string {
  let total = 0;
  for (const [, w] of xs) total += w;
  let r = rand() * total;
  for (const [x, w] of xs) {
    r -= w;
    if (r < 0) return x;
  }
  return xs[xs.length - 1][0];
}

function uniform(rand: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

function int(rand: () => number, lo: number, hi: number): number {
  return floor(uniform(rand, lo, hi + 1));
}

function logUniform(rand: () => number, lo: number, hi: number): number {
  return exp(uniform(rand, log(lo), log(hi)));
}

function poisson(rand: () => number, mean: number): number {
  if (mean > 50) return max(0, round(mean + sqrt(mean) * gaussian(rand)));
  const l = exp(-mean);
  let k = 0;
  let p = rand();
  while (p > l) {
    k++;
    p *= rand();
  }
  return k;
}

function gaussian(rand: () => number): number {
  const u = 1 - rand();
  return sqrt(-2 * log(u)) * cos(2 * Math.PI * rand());
}

function hoursOf(from: number, to: number): number[] {
  const out: number[] = [];
  for (let h = floor(from); h <= floor(to - 1e-9); h++) out.push(((h % 24) + 24) % 24);
  return out;
}

/** Hours at least two hours (circularly) from every hour the agent can be active in: where off-hours activity goes. */
function farFromActive(active: Iterable<number>): number[] {
  const a = new Set(active);
  const near = (h: number) => a.has(h) || a.has((h + 1) % 24) || a.has((h + 23) % 24);
  return Array.from({ length: 24 }, (_, h) => h).filter((h) => !near(h));
}

function makeAgent(index: number, archetype: Archetype, joinAt: number, isNew: boolean, rand: () => number, growingShare: number): AgentSpec {
  const profile = PROFILES[archetype];
  const growthPerWeek = rand() < growingShare ? uniform(rand, 0.03, 0.1) : 0;
  const denyRate = uniform(rand, profile.denyRate[0], profile.denyRate[1]);
  let startHour = 0;
  let volume = 1;
  let active: number[] = [];
  switch (archetype) {
    case 'crm-assistant':
      startHour = int(rand, 7, 10);
      volume = uniform(rand, 5, 9);
      active = hoursOf(startHour - 0.5, startHour + 8.5);
      break;
    case 'support-bot':
      startHour = int(rand, 8, 11);
      volume = logUniform(rand, 1000, 3000);
      active = Array.from({ length: 24 }, (_, h) => h);
      break;
    case 'etl-batch':
      startHour = uniform(rand, 1, 3);
      volume = uniform(rand, 200, 400);
      active = [...hoursOf(6, 22), ...hoursOf(startHour, startHour + 0.25 + 50 / 60)];
      break;
    case 'weekly-reporter':
      startHour = int(rand, 7, 8);
      volume = uniform(rand, 10, 25);
      active = [...hoursOf(startHour + 1 - 0.5, startHour + 1 + 8.5), ...hoursOf(startHour, startHour + 1.25)];
      break;
    case 'research-assistant':
      startHour = 8;
      volume = uniform(rand, 1, 4);
      active = hoursOf(8, 21);
      break;
  }
  return {
    index,
    id: `${archetype}-${index}`,
    archetype,
    joinAt,
    isNew,
    growthPerWeek,
    denyRate,
    startHour,
    volume,
    seed: floor(rand() * 2 ** 32),
    offHours: farFromActive(active),
  };
}

function growth(agent: AgentSpec, t: number): number {
  return agent.growthPerWeek === 0 ? 1 : pow(1 + agent.growthPerWeek, (t - EPOCH) / WEEK);
}

function isWeekend(dayStart: number): boolean {
  const dow = ((floor((dayStart - EPOCH) / DAY) % 7) + 7) % 7; // 0 = Monday
  return dow >= 5;
}

function isMonday(dayStart: number): boolean {
  return ((floor((dayStart - EPOCH) / DAY) % 7) + 7) % 7 === 0;
}

function event(rand: () => number, agent: AgentSpec, t: number, records: number, extra: Partial<ActivityEvent> = {}): LabelledEvent {
  const v = PROFILES[agent.archetype].vocabulary;
  return {
    t,
    action: pick(rand, v.actions),
    resourceType: pick(rand, v.resources),
    tool: pick(rand, v.tools),
    recordsTouched: records,
    outcome: rand() < agent.denyRate ? (rand() < 0.7 ? 'denied' : 'error') : 'allowed',
    anomaly: -1,
    ...extra,
  };
}

/** Times of n events spread uniformly over [from, to). */
function times(rand: () => number, n: number, from: number, to: number): number[] {
  return Array.from({ length: n }, () => uniform(rand, from, to));
}

/** The agent's normal traffic on day `day` (0 = EPOCH), unsorted. */
export function normalDay(agent: AgentSpec, day: number): LabelledEvent[] {
  const rand = seededRandom(mix(agent.seed, day, 0x51));
  const d0 = EPOCH + day * DAY;
  const g = growth(agent, d0 + 12 * HOUR);
  const weekend = isWeekend(d0);
  const out: LabelledEvent[] = [];
  switch (agent.archetype) {
    case 'crm-assistant': {
      const start = d0 + (agent.startHour + uniform(rand, -0.5, 0.5)) * HOUR;
      const n = weekend ? (rand() < 0.3 ? int(rand, 1, 3) : 0) : poisson(rand, agent.volume * g);
      for (const t of times(rand, n, start, start + 8 * HOUR)) out.push(event(rand, agent, t, int(rand, 1, 3)));
      break;
    }
    case 'support-bot': {
      const peak = agent.startHour + 5;
      const weights = Array.from({ length: 24 }, (_, h) => {
        const dist = min(abs(h - peak), 24 - abs(h - peak));
        return 0.2 + exp(-(dist * dist) / (2 * 4 * 4));
      });
      const sum = weights.reduce((a, b) => a + b, 0);
      const daily = agent.volume * g * (weekend ? 0.6 : 1);
      for (let h = 0; h < 24; h++) {
        const n = poisson(rand, (daily * weights[h]) / sum);
        for (const t of times(rand, n, d0 + h * HOUR, d0 + (h + 1) * HOUR)) {
          const r = rand();
          out.push(event(rand, agent, t, r < 0.4 ? 0 : r < 0.85 ? 1 : int(rand, 2, 3)));
        }
      }
      break;
    }
    case 'etl-batch': {
      // Health checks through the day.
      for (let h = 6; h < 22; h++) {
        for (const t of times(rand, int(rand, 0, 3), d0 + h * HOUR, d0 + (h + 1) * HOUR)) {
          out.push(event(rand, agent, t, 0, { action: 'metadata.read', resourceType: 'table', tool: 'sql' }));
        }
      }
      // The nightly batch.
      const start = d0 + (agent.startHour + uniform(rand, 0, 0.25)) * HOUR;
      const duration = uniform(rand, 30, 50) * MINUTE;
      const n = round(agent.volume * g * uniform(rand, 0.85, 1.15));
      for (const t of times(rand, n, start, start + duration)) {
        out.push(event(rand, agent, t, round(logUniform(rand, 50, 500)), { action: rand() < 0.55 ? 'warehouse.extract' : 'warehouse.load' }));
      }
      break;
    }
    case 'weekly-reporter': {
      if (!weekend) {
        const start = d0 + (agent.startHour + 1 + uniform(rand, -0.5, 0.5)) * HOUR;
        for (const t of times(rand, poisson(rand, agent.volume * g), start, start + 8 * HOUR)) out.push(event(rand, agent, t, int(rand, 1, 5)));
      }
      if (isMonday(d0)) {
        const start = d0 + (agent.startHour + uniform(rand, 0, 0.25)) * HOUR;
        const duration = uniform(rand, 30, 60) * MINUTE;
        const n = round(int(rand, 80, 150) * g);
        for (const t of times(rand, n, start, start + duration)) {
          out.push(
            event(rand, agent, t, int(rand, 20, 60), {
              action: rand() < 0.6 ? 'reports.query' : 'records.read',
              resourceType: 'dataset',
              tool: rand() < 0.7 ? 'bi-api' : 'sql',
            }),
          );
        }
        out.push(event(rand, agent, start + duration + MINUTE, 1, { action: 'reports.publish', resourceType: 'dashboard', tool: 'bi-api' }));
      }
      break;
    }
    case 'research-assistant': {
      const sessions = weekend ? (rand() < 0.3 ? 1 : 0) : poisson(rand, agent.volume);
      for (let s = 0; s < sessions; s++) {
        const duration = uniform(rand, 10, 60) * MINUTE;
        const start = d0 + uniform(rand, 8 * HOUR, 21 * HOUR - duration);
        const n = round(logUniform(rand, 20, 200) * g);
        for (const t of times(rand, n, start, start + duration)) out.push(event(rand, agent, t, int(rand, 0, 4)));
      }
      break;
    }
  }
  return out;
}

/** A time at which the agent is normally active on that day (where a volume/denial/novelty anomaly is placed). */
function activeTime(agent: AgentSpec, d0: number, rand: () => number): number {
  switch (agent.archetype) {
    case 'crm-assistant':
      return d0 + uniform(rand, agent.startHour, agent.startHour + 7.5) * HOUR;
    case 'weekly-reporter': {
      // Not during (or within two hours of) its Monday report: that is its busiest time.
      const s = agent.startHour + (isMonday(d0) ? 3.5 : 1);
      return d0 + uniform(rand, s, agent.startHour + 8.5) * HOUR;
    }
    case 'support-bot':
      return d0 + uniform(rand, agent.startHour, agent.startHour + 10) * HOUR;
    case 'etl-batch':
      return d0 + uniform(rand, 7, 21) * HOUR;
    case 'research-assistant':
      return d0 + uniform(rand, 8, 20) * HOUR;
  }
}

function isWorkingDay(agent: AgentSpec, d0: number): boolean {
  return agent.archetype === 'support-bot' || agent.archetype === 'etl-batch' || !isWeekend(d0);
}

/** The events of an injected anomaly (labelled), realistic in strength for that agent. */
export function anomalyEvents(agent: AgentSpec, a: Omit<InjectedAnomaly, 'end' | 'events' | 'records'>): LabelledEvent[] {
  const rand = seededRandom(mix(agent.seed, a.id, 0xa7));
  const profile = PROFILES[agent.archetype];
  const v = profile.vocabulary;
  const g = growth(agent, a.start);
  const out: LabelledEvent[] = [];
  const usual = (t: number, records: number, extra: Partial<ActivityEvent> = {}): LabelledEvent => ({
    ...event(rand, agent, t, records, extra),
    outcome: 'allowed',
    anomaly: a.id,
  });
  switch (a.kind) {
    case 'records-burst': {
      // "15 a day, then 500 in ten minutes": ten minutes of reads, ≥ 10× the agent's busiest normal ten minutes.
      const records = round(profile.burstRecords * g);
      const per = profile.burstRecordsPerEvent;
      const n = ceil(records / per);
      for (let i = 0; i < n; i++)
        out.push(usual(a.start + (i * 10 * MINUTE) / n, per, { action: v.readAction, resourceType: v.resources[0][0], tool: v.tools[0][0] }));
      break;
    }
    case 'rate-burst': {
      // A runaway loop: ten to twenty minutes at ten times its busiest normal rate, no records.
      const n = round(max(100, 10 * profile.peakTenMinuteEvents * g) * uniform(rand, 1, 2));
      const duration = (n / max(100, 10 * profile.peakTenMinuteEvents * g)) * 10 * MINUTE;
      for (let i = 0; i < n; i++) out.push(usual(a.start + (i * duration) / n, 0, { action: v.listAction }));
      break;
    }
    case 'denial-spike': {
      // Fifteen minutes in which it also tries things it may not do: at least as many denied/failed attempts as
      // its normal actions at that time, and at least one a minute.
      const perMinute = max(1, min(5, (profile.peakTenMinuteEvents * g) / 10));
      const n = round(15 * perMinute);
      for (let i = 0; i < n; i++) out.push({ ...usual(a.start + (i * 15 * MINUTE) / n, 0), outcome: rand() < 0.7 ? 'denied' : 'error' });
      break;
    }
    case 'new-tool': {
      const tool = a.item ?? NEW_TOOLS[0];
      const n = int(rand, 1, 5);
      for (let i = 0; i < n; i++) out.push(usual(a.start + i * uniform(rand, 10_000, 60_000), int(rand, 0, 2), { tool }));
      break;
    }
    case 'new-action': {
      const action = a.item ?? NEW_ACTIONS[0];
      const n = int(rand, 1, 3);
      for (let i = 0; i < n; i++) out.push(usual(a.start + i * uniform(rand, 10_000, 60_000), int(rand, 0, 2), { action }));
      break;
    }
    case 'new-resource-type': {
      const resourceType = a.item ?? NEW_RESOURCES[0];
      const n = int(rand, 1, 5);
      for (let i = 0; i < n; i++) out.push(usual(a.start + i * uniform(rand, 10_000, 60_000), int(rand, 1, 3), { resourceType }));
      break;
    }
    case 'off-hours': {
      // An ordinary-looking session at an hour it is never active in.
      const n = int(rand, 5, 30);
      const duration = uniform(rand, 10, 40) * MINUTE;
      for (const t of times(rand, n, a.start, a.start + duration)) out.push(usual(t, int(rand, 1, 3)));
      break;
    }
    case 'exfiltration': {
      // A resource type it never touched, read in bulk: 300-1,000 records over ten to twenty minutes.
      const resourceType = a.item ?? NEW_RESOURCES[0];
      const records = int(rand, 300, 1000);
      const per = int(rand, 10, 50);
      const n = ceil(records / per);
      const duration = uniform(rand, 10, 20) * MINUTE;
      for (let i = 0; i < n; i++) out.push(usual(a.start + (i * duration) / n, per, { action: v.readAction, resourceType }));
      break;
    }
  }
  out.sort((x, y) => x.t - y.t);
  return out;
}

/** Builds the population, the anomaly plan and the benign adoptions for a config. */
export function buildPopulation(config: PopulationConfig): Population {
  const rand = seededRandom(mix(config.seed, 0x90));
  const measuredFrom = EPOCH + config.burnInDays * DAY;
  const measuredTo = measuredFrom + config.measuredDays * DAY;
  const agents: AgentSpec[] = [];
  const chooseArchetype = (): Archetype =>
    pick(
      rand,
      ARCHETYPES.map((a) => [a, PROFILES[a].share]),
    ) as Archetype;
  for (let i = 0; i < config.agents; i++) agents.push(makeAgent(i, chooseArchetype(), EPOCH, false, rand, config.growingShare));
  const newAgents = round(config.agents * config.newAgentShare);
  for (let i = 0; i < newAgents; i++) {
    // Joins during the measured period, at least 7 days before its end, at a random time of day.
    const joinAt = measuredFrom + floor(uniform(rand, 0, max(1, config.measuredDays - 7))) * DAY + floor(rand() * 24) * HOUR;
    agents.push(makeAgent(agents.length, chooseArchetype(), joinAt, true, rand, config.growingShare));
  }

  // Anomalies: per kind, on random agents, at least 7 days apart on the same agent, within the measured period.
  const anomalies: InjectedAnomaly[] = [];
  const busy = new Map<number, number[]>();
  const usedItems = new Map<number, string[]>();
  for (const kind of ANOMALY_KINDS) {
    let placed = 0;
    for (let attempt = 0; placed < config.anomaliesPerKind && attempt < config.anomaliesPerKind * 50; attempt++) {
      const agent = agents[floor(rand() * agents.length)];
      // At most one off-hours anomaly per agent: after the first, that hour is no longer one it was never active in.
      if (kind === 'off-hours' && (agent.offHours.length === 0 || anomalies.some((x) => x.agent === agent.index && x.kind === 'off-hours'))) continue;
      const from = max(measuredFrom, agent.joinAt + DAY);
      const day = floor((from - EPOCH) / DAY) + 1 + floor(rand() * ((measuredTo - from) / DAY - 1));
      const d0 = EPOCH + day * DAY;
      if (d0 + DAY > measuredTo) continue;
      if (kind !== 'off-hours' && !isWorkingDay(agent, d0)) continue;
      let start: number;
      if (kind === 'off-hours') {
        const h = agent.offHours[floor(rand() * agent.offHours.length)];
        start = d0 + h * HOUR + uniform(rand, 0, 15) * MINUTE;
      } else {
        start = activeTime(agent, d0, rand);
      }
      const taken = busy.get(agent.index) ?? [];
      if (taken.some((t) => abs(t - start) < 7 * DAY)) continue;
      // A novel item is one this agent has not used, in an earlier anomaly either.
      const pool =
        kind === 'new-tool' ? NEW_TOOLS : kind === 'new-action' ? NEW_ACTIONS : kind === 'new-resource-type' || kind === 'exfiltration' ? NEW_RESOURCES : [];
      const fresh = pool.filter((x) => !(usedItems.get(agent.index) ?? []).includes(x));
      if (pool.length > 0 && fresh.length === 0) continue;
      const item = fresh.length ? fresh[floor(rand() * fresh.length)] : undefined;
      if (item) usedItems.set(agent.index, [...(usedItems.get(agent.index) ?? []), item]);
      taken.push(start);
      busy.set(agent.index, taken);
      const base = { id: anomalies.length, agent: agent.index, kind, start, newAgent: start - agent.joinAt < 7 * DAY && agent.isNew, item };
      const evs = anomalyEvents(agent, base);
      anomalies.push({ ...base, end: evs[evs.length - 1].t, events: evs.length, records: evs.reduce((s, e) => s + e.recordsTouched, 0) });
      placed++;
    }
  }

  // Legitimate adoptions of a new tool by mature agents, which then keep using it.
  const agentDays = agents.reduce((s, a) => s + max(0, measuredTo - max(measuredFrom, a.joinAt)) / DAY, 0);
  const adoptionCount = round((config.benignAdoptionsPer1000AgentDays * agentDays) / 1000);
  const adoptions: BenignAdoption[] = [];
  for (let attempt = 0; adoptions.length < adoptionCount && attempt < 1000; attempt++) {
    const agent = agents[floor(rand() * agents.length)];
    if (agent.isNew || adoptions.some((x) => x.agent === agent.index)) continue;
    const day = floor((measuredFrom - EPOCH) / DAY) + floor(rand() * config.measuredDays);
    const d0 = EPOCH + day * DAY;
    if (!isWorkingDay(agent, d0)) continue;
    const at = activeTime(agent, d0, rand);
    if ((busy.get(agent.index) ?? []).some((t) => abs(t - at) < 7 * DAY)) continue;
    adoptions.push({ agent: agent.index, at, tool: BENIGN_TOOLS[floor(rand() * BENIGN_TOOLS.length)] });
  }
  return { config, agents, anomalies, adoptions, measuredFrom, measuredTo };
}

/**
 * The agent's events of day `day`, sorted: its normal traffic (from its join time; with an adopted tool in place
 * of its usual one in a share of events after the adoption) and any injected anomaly events falling on that day.
 */
export function agentDay(pop: Population, agent: AgentSpec, day: number, anomalyEventsByAgent: Map<number, LabelledEvent[]>): LabelledEvent[] {
  const d0 = EPOCH + day * DAY;
  let events = normalDay(agent, day).filter((e) => e.t >= agent.joinAt);
  const adoption = pop.adoptions.find((x) => x.agent === agent.index);
  if (adoption && adoption.at < d0 + DAY) {
    const rand = seededRandom(mix(agent.seed, day, 0xad));
    events = events.map((e) => (e.t >= adoption.at && rand() < 0.15 ? { ...e, tool: adoption.tool } : e));
    if (adoption.at >= d0) events.push({ ...event(rand, agent, adoption.at, 1), tool: adoption.tool, outcome: 'allowed' });
  }
  const injected = anomalyEventsByAgent.get(agent.index);
  if (injected) for (const e of injected) if (e.t >= d0 && e.t < d0 + DAY) events.push(e);
  events.sort((a, b) => a.t - b.t);
  return events;
}

/** All injected anomaly events, per agent. */
export function injectedEvents(pop: Population): Map<number, LabelledEvent[]> {
  const out = new Map<number, LabelledEvent[]>();
  for (const a of pop.anomalies) {
    const list = out.get(a.agent) ?? [];
    list.push(...anomalyEvents(pop.agents[a.agent], a));
    out.set(a.agent, list);
  }
  return out;
}
