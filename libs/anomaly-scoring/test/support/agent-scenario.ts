import { seededRandom } from '@agentgov/test-support';

import type { ActivityEvent } from '../../src/agent-behavior-model';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const START = Date.UTC(2026, 0, 5);

const ACTIONS = ['crm.records.read', 'crm.records.update', 'crm.notes.create'];
const RESOURCES = ['contact', 'account'];
const TOOLS = ['crm-api', 'search'];

/**
 * An ordinary agent: about 7 events a day touching 1-3 records each (~15 records/day), at random times in
 * working hours 09:00-17:00 UTC, from a small repertoire, 2% denied.
 */
export function normalDays(seed: number, days: number, from = START): ActivityEvent[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const events: ActivityEvent[] = [];
  for (let d = 0; d < days; d++) {
    const n = 5 + Math.floor(rand() * 5);
    const times = Array.from({ length: n }, () => from + d * DAY + 9 * HOUR + rand() * 8 * HOUR).sort((a, b) => a - b);
    for (const t of times) {
      events.push({
        t,
        action: pick(ACTIONS),
        resourceType: pick(RESOURCES),
        tool: pick(TOOLS),
        recordsTouched: 1 + Math.floor(rand() * 3),
        outcome: rand() < 0.02 ? 'denied' : 'allowed',
      });
    }
  }
  return events;
}

/** `records` single-record reads spread evenly over `durationMs` from `at`. */
export function burst(at: number, records: number, durationMs: number): ActivityEvent[] {
  return Array.from({ length: records }, (_, i) => ({
    t: at + (i * durationMs) / records,
    action: 'crm.records.read',
    resourceType: 'contact',
    tool: 'crm-api',
    recordsTouched: 1,
    outcome: 'allowed' as const,
  }));
}
