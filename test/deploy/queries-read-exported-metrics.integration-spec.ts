import { generateKeyPairSync, randomUUID } from 'node:crypto';

import { CompactSign } from 'jose';

import { Role } from '@agentgov/auth';
import { SERVICE_NAMES, ServiceName, TopicPayloads, Topics } from '@agentgov/contracts';
import { anomalyEvent, RecordingReceiver, ServiceHarness, Stack } from '@agentgov/service-testing';
import { waitFor } from '@agentgov/test-support';

import { exportedMetricNames, labelsIn, metricsIn, PROMETHEUS_OWN_METRICS, seriesOf, TARGET_LABELS } from './metric-names';
import { shippedQueries } from './shipped-queries';

/**
 * Series the dashboards or alerts read that a running service writes only once something has gone wrong, which
 * this test does not cause on the shared broker and database. The unit tests still find each of them in the code.
 */
const ONLY_AFTER_A_FAILURE: Record<string, string> = {
  outbox_relay_errors_total: 'counted when a relay round fails to publish (Kafka unreachable, a topic or an ACL missing)',
};

const ISSUER = 'https://idp.dashboards.example/';
const AUDIENCE = 'https://agentgov.dashboards.example/';
const transmitter = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** Every series name on each service's /metrics, with the labels its series carry. */
type Scrape = Record<ServiceName, Map<string, Set<string>>>;

/** The services a query reads: the one its `service="agentgov-..."` matcher names, else all four. */
function servicesOf(expr: string): ServiceName[] {
  const named = SERVICE_NAMES.filter((s) => expr.includes(`service="agentgov-${s}"`));
  return named.length > 0 ? named : [...SERVICE_NAMES];
}

/** What the queries read that the services do not write, as `where: what`. */
function unexported(scrape: Scrape): string[] {
  const problems: string[] = [];
  for (const { where, expr } of shippedQueries()) {
    const services = servicesOf(expr);
    const metrics = metricsIn(expr).filter((m) => !PROMETHEUS_OWN_METRICS.includes(m) && !(m in ONLY_AFTER_A_FAILURE));
    for (const metric of metrics) {
      if (!services.some((s) => scrape[s].has(metric))) problems.push(`${where}: ${metric} is not on the /metrics of ${services.join(', ')}`);
    }
    if (metrics.length === 0) continue;
    const labels = new Set(metrics.flatMap((m) => services.flatMap((s) => [...(scrape[s].get(m) ?? [])])));
    for (const label of labelsIn(expr).filter((l) => !TARGET_LABELS.includes(l))) {
      if (!labels.has(label)) problems.push(`${where}: no series of ${metrics.join(', ')} carries the label ${label}`);
    }
  }
  return problems;
}

/**
 * The strongest check of the dashboards (deploy/grafana) and alert rules: the four services run as processes on
 * the real broker and database, their users' traffic goes through (an owner and an agent registered, activity
 * scored, an anomaly below the alert band, an Identity Provider's signal that matches nobody and then matches the
 * owner, whose offboarding cascades to the agent and logs it out at a connected system, an event id reused), and
 * every metric a panel or rule reads must then be on the /metrics page of the service it names, with every label
 * it matches on or groups by. The unit tests find the names in the code; this finds what the exporter really
 * writes (suffixes, units, label names) and that nothing is only registered in a thread with no exporter.
 */
describe('every metric the dashboards and alerts read is on the running services’ /metrics, with the labels they use', () => {
  const gateway = new RecordingReceiver();
  const connector = `dashboards-gateway-${randomUUID().slice(0, 8)}`;
  let stack: Stack;

  beforeAll(async () => {
    await gateway.start();
    stack = new Stack({
      services: {
        provisioner: {
          SSF_TRANSMITTER_PUBLIC_KEY: transmitter.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
          SSF_TRANSMITTER_ISSUER: ISSUER,
          SSF_AUDIENCE: AUDIENCE,
        },
        'behavior-baseliner': { SCORING_THREADS: '1' },
      },
      connectors: () => [{ name: connector, type: 'webhook', url: `${gateway.url}/logout`, secret: `dashboards-${randomUUID()}` }],
    });
    await stack.start();
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await gateway.stop();
  }, 60_000);

  async function scrape(): Promise<Scrape> {
    const pages = await Promise.all(SERVICE_NAMES.map(async (s) => [s, seriesOf(await (await fetch(`${stack.harness(s).url}/metrics`)).text())]));
    return Object.fromEntries(pages) as Scrape;
  }

  async function call(harness: ServiceHarness, method: string, path: string, body: unknown, roles: Role[] = [Role.Admin]) {
    const response = await harness.request(method, path, body, roles);
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** A RISC account-purged SET about `sub`, signed by the configured transmitter, pushed to the provisioner. */
  async function pushAccountPurged(sub: string): Promise<number> {
    const set = {
      iss: ISSUER,
      aud: AUDIENCE,
      jti: randomUUID(),
      iat: Math.floor(Date.now() / 1000),
      sub_id: { format: 'iss_sub', iss: ISSUER, sub },
      events: { 'https://schemas.openid.net/secevent/risc/event-type/account-purged': {} },
    };
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(set)))
      .setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt' })
      .sign(transmitter.privateKey);
    return (await fetch(`${stack.provisioner.url}/ssf/events`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token }))
      .status;
  }

  it('after their users’ traffic through all four services', async () => {
    const owner = await call(stack.provisioner, 'POST', '/owners', { email: `dashboards.${randomUUID()}@example.com` });
    const agent = await call(stack.provisioner, 'POST', '/agents', {
      name: 'crm sync',
      ownerId: owner.id,
      purpose: 'crm-sync',
      platform: 'langgraph',
      riskTier: 'medium',
      scopes: ['crm.read'],
    });
    // Containment knows the agent before its anomaly arrives (another topic, so no order between the two).
    await waitFor(
      async () => (await scrape()).containment.has('messages_consumed_total'),
      (known) => known,
      { what: 'containment to read the registration', timeoutMs: 30_000 },
    );

    // Activity over three hours, in order: each hour's usage window is summarised when the next one begins, and
    // the summaries leave through the baseliner's outbox.
    const activity: { data: TopicPayloads['agent.activity.v1'] }[] = Array.from({ length: 15 }, (_, i) => 14 - i).map((minutesAgo) => ({
      data: {
        agentId: agent.id,
        occurredAt: new Date(Date.now() - minutesAgo * 12 * 60_000).toISOString(),
        action: 'crm.read',
        resourceType: 'crm.contact',
        tool: 'crm-api',
        recordsTouched: 1,
        outcome: 'allowed' as const,
      },
    }));
    await stack.provisioner.publish(Topics.AgentActivity, activity);
    await stack.provisioner.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agent.id, { score: 0, summary: 'nothing unusual' }) }]);

    // A leaver's signal that names nobody is kept (unmatched), then applied once the owner's identity is linked:
    // the owner's termination cascades to the agent, and containment logs it out at the gateway.
    const sub = `leaver-${randomUUID()}`;
    expect(await pushAccountPurged(sub)).toBe(202);
    await waitFor(
      async () => (await scrape()).provisioner.has('identity_signals_unmatched_total'),
      (kept) => kept,
      { what: 'the unmatched signal to be kept', timeoutMs: 30_000 },
    );
    await call(stack.provisioner, 'PUT', `/owners/${owner.id}/identities`, { identities: [{ source: ISSUER, externalId: sub }] }, [Role.LinkIdentities]);

    // An event id reused with other content: dead-lettered by the consumers of identity.lifecycle.v1.
    const reusedId = randomUUID();
    const suspension = { kind: 'owner.suspended' as const, ownerId: randomUUID(), source: 'workday', occurredAt: new Date().toISOString(), reason: 'leave' };
    await stack.provisioner.publish(Topics.IdentityLifecycle, [{ data: suspension, id: reusedId }]);
    await stack.provisioner.publish(Topics.IdentityLifecycle, [{ data: { ...suspension, reason: 'another leave' }, id: reusedId }]);

    const problems = await waitFor(
      async () => unexported(await scrape()),
      (missing) => missing.length === 0,
      { what: 'every metric the dashboards and alerts read', timeoutMs: 60_000, intervalMs: 1000 },
    ).catch(async () => unexported(await scrape()));

    expect(problems).toEqual([]);
    expect(gateway.about(agent.id).length).toBeGreaterThan(0);
  }, 150_000);

  it('leaves out only series that need a failure, each of them still registered in the code and read by a query', () => {
    const read = new Set(shippedQueries().flatMap((q) => metricsIn(q.expr)));
    const inCode = exportedMetricNames();

    for (const metric of Object.keys(ONLY_AFTER_A_FAILURE)) {
      expect({ metric, inCode: inCode.has(metric), read: read.has(metric) }).toEqual({ metric, inCode: true, read: true });
    }
  });

  it('would name a metric or a label the services do not write', () => {
    const containment = new Map([['containment_connector_attempts_total', new Set(['connector'])]]);
    const scrape = Object.fromEntries(SERVICE_NAMES.map((s) => [s, s === 'containment' ? containment : new Map()])) as Scrape;

    const problems = unexported(scrape);

    expect(problems).toEqual(
      expect.arrayContaining([
        'alert AgentgovMessagesDeadLettered: messages_dead_lettered_total is not on the /metrics of provisioner, behavior-baseliner, containment, review-scheduler',
        'behavior-baseliner.json panel "Events scored per second" A: baseliner_events_scored_total is not on the /metrics of behavior-baseliner',
        'alert AgentgovConnectorFailing: no series of containment_connector_attempts_total carries the label outcome',
      ]),
    );
    expect(problems.filter((p) => p.includes('containment_connector_attempts_total is not'))).toEqual([]);
  });
});
