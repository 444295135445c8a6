/**
 * The narrated demonstration `npm start` runs once the stack is up, driving the services only as their users
 * would: the APIs, and Kafka where other systems (agent runtimes) publish. Owners and agents with sub-agents
 * are registered and get tokens; an agent works normally for two weeks (its history is replayed); its owner's
 * sibling is terminated by an HR event and the cascade is timed; then the agent bursts far above its baseline
 * and the containment alert an analyst would see is shown.
 */
import { randomUUID } from 'node:crypto';

import { Kafka, Partitioners } from 'kafkajs';

import { TopicPayloads, Topics } from '@agentgov/contracts';
import { encodeEvent } from '@agentgov/messaging';

export interface DemonstrationOptions {
  adminToken: string;
  /** A client of the bus as the activity gateway: the one principal that may write agent.activity.v1. */
  activityGateway: Kafka;
  say: (line: string) => void;
}

const PROVISIONER = 'http://127.0.0.1:3001';
const BASELINER = 'http://127.0.0.1:3002';
const CONTAINMENT = 'http://127.0.0.1:3003';
const DAY = 86_400_000;

async function call(token: string, method: string, url: string, body?: unknown): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function runDemonstration({ adminToken, activityGateway, say }: DemonstrationOptions): Promise<void> {
  const admin = (method: string, url: string, body?: unknown) => call(adminToken, method, url, body);
  const run = randomUUID().slice(0, 6);

  say('Registering owners and their agents (with sub-agents) at the provisioner');
  const manager = await admin('POST', `${PROVISIONER}/owners`, { email: `dana.manager+${run}@example.com`, displayName: 'Dana (manager)' });
  const leaver = await admin('POST', `${PROVISIONER}/owners`, {
    email: `alex.leaver+${run}@example.com`,
    displayName: 'Alex (leaving)',
    managerId: manager.id,
  });
  const keeper = await admin('POST', `${PROVISIONER}/owners`, { email: `sam.stays+${run}@example.com`, displayName: 'Sam', managerId: manager.id });
  const agent = (ownerId: string, name: string, riskTier: string, parentAgentId?: string) =>
    admin('POST', `${PROVISIONER}/agents`, {
      name,
      ownerId,
      purpose: 'crm-sync',
      platform: 'langgraph',
      riskTier,
      scopes: ['crm.read', 'crm.write'],
      ...(parentAgentId ? { parentAgentId } : {}),
    });
  const researcher = await agent(leaver.id, 'research-assistant', 'medium');
  const summariser = await agent(leaver.id, 'research-summariser (sub-agent)', 'medium', researcher.id);
  const mailer = await agent(leaver.id, 'outreach-mailer', 'high');
  const crmSync = await agent(keeper.id, 'crm-sync', 'critical');
  const leaversAgents = [researcher, summariser, mailer];
  say(`  ${leaver.displayName}: ${leaversAgents.map((a) => a.name).join(', ')}; ${keeper.displayName}: ${crmSync.name} (critical tier)`);

  say('Issuing tokens (client credentials at the built-in issuer)');
  const token = async (a: { id: string; clientSecret: string }) => {
    const response = await fetch(`${PROVISIONER}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${a.id}:${a.clientSecret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const tokens = new Map<string, string>();
  for (const a of [...leaversAgents, crmSync]) tokens.set(a.id, await token(a));
  const active = async (t: string) => (await admin('POST', `${PROVISIONER}/oauth2/introspect`, { token: t })).active as boolean;
  say(`  ${tokens.size} tokens issued, all active: ${(await Promise.all([...tokens.values()].map(active))).every(Boolean)}`);

  say(`Normal activity: ${crmSync.name} reads about 15 CRM records a day for two weeks`);
  const producer = activityGateway.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const publish = async (events: TopicPayloads['agent.activity.v1'][]) => {
    const encoded = events.map((data) => encodeEvent({ topic: Topics.AgentActivity, data, source: '/demonstration', id: randomUUID() }));
    await producer.send({ topic: Topics.AgentActivity, acks: -1, messages: encoded.map((e) => ({ key: e.key, value: e.value, headers: e.headers })) });
  };
  const activity = (at: number, recordsTouched: number): TopicPayloads['agent.activity.v1'] => ({
    agentId: crmSync.id,
    occurredAt: new Date(at).toISOString(),
    action: 'crm.read',
    resourceType: 'crm.contact',
    tool: 'crm-api',
    recordsTouched,
    outcome: 'allowed',
  });
  const start = Date.now() - 15 * DAY;
  const history = [];
  for (let day = 0; day < 14; day++) for (let k = 0; k < 15; k++) history.push(activity(start + day * DAY + (9 + k * 0.5) * 3_600_000, 1));
  try {
    await publish(history);
    const learnt = await until(
      () => admin('GET', `${BASELINER}/agents/${crmSync.id}/baseline`).catch(() => undefined),
      (b) => b?.eventsLearnt >= history.length,
      'the baseliner to learn the history',
    );
    say(`  the baseliner learnt ${learnt.eventsLearnt} events; normal for it: ${learnt.baseline.recordsPer10Minutes.toFixed(2)} records per 10 minutes`);

    say(`Offboarding: ${leaver.displayName} is terminated by an HR event (Workday)`);
    const terminatedAt = Date.now();
    await admin('POST', `${PROVISIONER}/owners/${leaver.id}/lifecycle-events`, {
      kind: 'owner.terminated',
      source: 'workday',
      occurredAt: new Date().toISOString(),
    });
    await until(
      async () => Promise.all(leaversAgents.map(async (a) => (await admin('GET', `${PROVISIONER}/agents/${a.id}`)).status)),
      (statuses) => statuses.every((s) => s === 'deprovisioned'),
      'the cascade',
    );
    const deprovisionedIn = Date.now() - terminatedAt;
    await until(
      async () => Promise.all(leaversAgents.map((a) => active(tokens.get(a.id) as string))),
      (states) => states.every((s) => !s),
      'the tokens to be inactive',
    );
    say(
      `  ${leaversAgents.length} agents (sub-agent included) deprovisioned in ${deprovisionedIn} ms; their tokens inactive after ${Date.now() - terminatedAt} ms`,
    );
    say(`  ${crmSync.name}, owned by ${keeper.displayName}, is untouched: token active ${await active(tokens.get(crmSync.id) as string)}`);

    say(`Anomaly: ${crmSync.name} suddenly touches 500 records in ten minutes`);
    const burstStart = Date.now() - 10 * 60_000;
    const burstSentAt = Date.now();
    await publish(Array.from({ length: 100 }, (_, i) => activity(burstStart + i * 6000, 5)));
    const [incident] = await until(
      async () => (await admin('GET', `${CONTAINMENT}/incidents?agentId=${crmSync.id}`)).items,
      (items: any[]) => items[0]?.actions?.[0]?.receipts?.length > 0 && items[0].actions[0].receipts.every((r: { status: string }) => r.status === 'confirmed'),
      'the containment incident and its receipts',
    );
    const lastReceipt = Math.max(...incident.actions[0].receipts.map((r: { at: string }) => Date.parse(r.at)));
    say(
      `  contained ${lastReceipt - burstSentAt} ms after the burst was sent; the alert the SOC sees (containment.alert.v1, OCSF Detection Finding ${incident.ocsf.class_uid}):`,
    );
    say(`    incident ${incident.incidentId}: ${incident.status}, severity ${incident.severity}, score ${incident.score.toFixed(3)}`);
    say(`    ${incident.summary}`);
    for (const f of incident.explanation.slice(0, 3))
      say(`    - ${f.name}: expected ${Number(f.expected).toFixed(2)}, observed ${Number(f.observed).toFixed(2)}`);
    for (const r of incident.actions[0].receipts) say(`    receipt ${r.connector}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`);
    await until(
      () => active(tokens.get(crmSync.id) as string),
      (a) => !a,
      'the contained agent’s token to be inactive',
    );
    say(`  ${crmSync.name}'s token is now inactive; an analyst can release (POST /incidents/${incident.incidentId}/release) or confirm it`);
  } finally {
    await producer.disconnect();
  }
}
