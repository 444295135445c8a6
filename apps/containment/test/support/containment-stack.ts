import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

import { Topics, TopicPayloads } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { collectMessages } from '@agentgov/test-support';

/** Connector entries as CONNECTORS_FILE holds them. */
export type ConnectorEntry = Record<string, unknown> & { name: string; type: string };

/** Writes the connectors file a containment instance reads at start-up; returns its path. */
export function writeConnectorsFile(entries: ConnectorEntry[]): string {
  const file = join(tmpdir(), `containment-connectors-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(entries), { mode: 0o600 });
  return file;
}

export function anomaly(agentId: string, overrides: Partial<TopicPayloads['agent.anomaly.v1']> = {}): TopicPayloads['agent.anomaly.v1'] {
  return {
    agentId,
    kind: 'behavior',
    score: 0.995,
    episodeId: randomUUID(),
    episodeState: 'started',
    observedAt: new Date().toISOString(),
    features: [{ name: 'records_per_10m', expected: 1.5, observed: 480, contribution: 0.92 }],
    summary: `agent ${agentId} touched 480 records in ten minutes against 1.5 expected`,
    ...overrides,
  };
}

/** Every containment.alert.v1 of the harness's topic so far, parsed. */
export async function alertsOf(harness: ServiceHarness, atLeast: number): Promise<TopicPayloads['containment.alert.v1'][]> {
  return (await collectMessages(harness.kafka, harness.topic(Topics.ContainmentAlert), atLeast, { timeoutMs: 30000, settleMs: 500 })).map((m) => JSON.parse(m.value));
}
