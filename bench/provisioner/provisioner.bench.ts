import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

import { Topics } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { withTestDatabase } from '@agentgov/test-support';

import { publishEvent, seedAgentChains, SeededAgent, seedOwner } from '../../apps/provisioner/test/support/registry-seed';
import { BenchFigure, percentile } from '../bench-report';
import { BenchContext } from '../bench-run';
import { fixedRate, post } from './load';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function issueToken(url: string, clientId: string, secret: string): Promise<string> {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
  const res = await post(`${url}/oauth2/token`, { ...FORM, authorization: `Basic ${basic}` }, 'grant_type=client_credentials');
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${res.body}`);
  return JSON.parse(res.body).access_token;
}

async function isActive(url: string, bearer: string, token: string): Promise<boolean> {
  const res = await post(`${url}/oauth2/introspect`, { ...FORM, authorization: `Bearer ${bearer}` }, `token=${token}`);
  if (res.status !== 200) throw new Error(`introspection answered ${res.status}`);
  return JSON.parse(res.body).active === true;
}

/** Open-loop load with its progress: requests answered of those scheduled. */
async function loadWithProgress(context: BenchContext, label: string, rate: number, ms: number, send: (i: number) => Promise<boolean>) {
  const progress = context.progress(label, { total: Math.floor((rate * ms) / 1000), unit: 'requests' });
  const run = await fixedRate(rate, ms, send, (answered) => progress.update(answered));
  progress.done(`${run.errors} wrong or failed`);
  return run;
}

/** Introspection p50/p99 at a fixed request rate, every answer checked. */
async function introspectionAtRate(context: BenchContext, harness: ServiceHarness, rate: number, seconds: number): Promise<BenchFigure[]> {
  const ownerId = await seedOwner();
  const { agents, secret } = await seedAgentChains({ ownerId, chains: 20, levels: 1 });
  const tokens = await Promise.all(agents.map((a) => issueToken(harness.url, a.id, secret)));
  const bearer = await harness.token(['introspect'], 'bench-resource-server');
  const send = (i: number) => isActive(harness.url, bearer, tokens[i % tokens.length]);
  // Warm-up: connections, JIT, the key cache.
  await loadWithProgress(context, `introspection warm-up at ${rate / 2} req/s`, rate / 2, 3000, send);
  const run = await loadWithProgress(context, `introspection at ${rate} req/s for ${seconds} s`, rate, seconds * 1000, send);
  const p50 = percentile(run.latencies, 50);
  const p99 = percentile(run.latencies, 99);
  return [
    { name: `introspection p50 at ${rate} req/s`, value: p50, unit: 'ms' },
    {
      name: `introspection p99 at ${rate} req/s`,
      value: p99,
      unit: 'ms',
      target: '< 5 ms at 2,000 req/s',
      meets: p99 < 5 && run.errors === 0 && run.achievedRate >= rate * 0.95,
      note: `${run.latencies.length} requests in ${seconds} s (achieved ${run.achievedRate.toFixed(0)} req/s), ${run.errors} wrong or failed answers`,
    },
  ];
}

/**
 * The floor for the same load on the same machine in the same run: a bare Node HTTP server (no framework, no
 * database) answering an introspection-sized JSON body, driven by the same open-loop generator. What is left
 * between it and introspection is the service's own cost.
 */
async function bareHttpFloor(context: BenchContext, rate: number, seconds: number): Promise<BenchFigure> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end('{"active":true,"sub":"00000000-0000-4000-8000-000000000000","scope":"crm.read","token_type":"Bearer"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
  try {
    const send = async () => (await post(url, FORM, 'token=x')).status === 200;
    await loadWithProgress(context, `bare HTTP floor warm-up at ${rate / 2} req/s`, rate / 2, 3000, send);
    const run = await loadWithProgress(context, `bare HTTP floor at ${rate} req/s for ${seconds} s`, rate, seconds * 1000, send);
    return {
      name: `floor: bare Node HTTP server p99 at ${rate} req/s`,
      value: percentile(run.latencies, 99),
      unit: 'ms',
      note: `same generator and machine, no framework or database; p50 ${percentile(run.latencies, 50).toFixed(2)} ms (it shares the generator's process, so it is a lower bound)`,
    };
  } finally {
    server.close();
  }
}

/** Agents seeded per insert batch: one progress step, and one client secret shared by its agents. */
const SEED_CHUNK_CHAINS = 250;

/**
 * `chains` chains of `levels` agents for one owner, written in chunks so that seeding shows its progress. Each chunk
 * has its own client secret (seedAgentChains makes one per call), kept with each agent.
 */
async function seedWithProgress(context: BenchContext, ownerId: string, chains: number, levels: number) {
  const progress = context.progress(`seeding ${(chains * levels).toLocaleString('en')} agents`, { total: chains * levels, unit: 'agents' });
  const agents: Array<SeededAgent & { secret: string }> = [];
  for (let seeded = 0; seeded < chains; seeded += SEED_CHUNK_CHAINS) {
    const chunk = await seedAgentChains({ ownerId, chains: Math.min(SEED_CHUNK_CHAINS, chains - seeded), levels });
    agents.push(...chunk.agents.map((agent) => ({ ...agent, secret: chunk.secret })));
    progress.update(agents.length);
  }
  progress.done();
  return agents;
}

async function deprovisionedCount(ownerId: string): Promise<number> {
  const [{ n }] = await withTestDatabase(
    async (c) => (await c.query(`SELECT count(*)::int AS n FROM "provisioner"."agents" WHERE "owner_id" = $1 AND "status" = 'deprovisioned'`, [ownerId])).rows,
  );
  return n;
}

/** An owner with `size` agents (chains four deep) is terminated by an HR event: time until every token is inactive. */
async function cascade(context: BenchContext, harness: ServiceHarness, size: number, run: string): Promise<BenchFigure> {
  const ownerId = await seedOwner();
  const agents = await seedWithProgress(context, ownerId, size / 4, 4);
  // Tokens for a spread sample, the first and the last agent included; a cascade ends all of an agent's tokens
  // with one not-before write, in the same transaction for every agent, so the sample stands for all.
  const step = Math.max(1, Math.floor(agents.length / 100));
  const sample = agents.filter((_, i) => i % step === 0 || i === agents.length - 1);
  const issuing = context.progress(`issuing tokens to ${sample.length} sampled agents`, { total: sample.length, unit: 'tokens' });
  const tokens = await Promise.all(sample.map(async (a) => issueToken(harness.url, a.id, a.secret).finally(() => issuing.tick())));
  issuing.done();
  const bearer = await harness.token(['introspect'], 'bench-resource-server');
  if (!(await isActive(harness.url, bearer, tokens[tokens.length - 1]))) throw new Error('a fresh token is not active');

  const waiting = context.progress(`cascade of ${size.toLocaleString('en')} agents, ${run}: waiting for the sampled tokens to go inactive`, {
    total: tokens.length,
    unit: 'tokens inactive',
  });
  // How far the cascade is in the registry, read once a second beside the measurement (one indexed count): the
  // measuring loop itself only introspects, as before.
  let remaining = tokens;
  let cascading = true;
  const registry = (async () => {
    while (cascading) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const deprovisioned = await deprovisionedCount(ownerId).catch(() => undefined);
      if (cascading && deprovisioned !== undefined) {
        waiting.update(tokens.length - remaining.length, `${deprovisioned.toLocaleString('en')} of ${agents.length.toLocaleString('en')} agents deprovisioned`);
      }
    }
  })();
  const t0 = performance.now();
  let elapsed: number;
  try {
    await publishEvent(harness, Topics.IdentityLifecycle, { kind: 'owner.terminated', ownerId, source: 'workday', occurredAt: new Date().toISOString() });
    while (remaining.length) {
      const active = await Promise.all(remaining.map((t) => isActive(harness.url, bearer, t)));
      remaining = remaining.filter((_, i) => active[i]);
      waiting.update(tokens.length - remaining.length);
      if (performance.now() - t0 > 120_000) throw new Error(`${remaining.length} tokens still active after 120 s`);
    }
    elapsed = performance.now() - t0;
  } finally {
    cascading = false;
    await registry;
  }
  const n = await deprovisionedCount(ownerId);
  if (n !== agents.length) throw new Error(`only ${n} of ${agents.length} agents deprovisioned when the last sampled token went inactive`);
  waiting.done(`${elapsed.toFixed(0)} ms; all ${agents.length.toLocaleString('en')} agents deprovisioned`);
  return {
    name: `cascade: owner with ${size.toLocaleString('en')} agents terminated → every token inactive`,
    value: elapsed,
    unit: 'ms',
    target: size >= 10_000 ? '< 5 s (p99)' : undefined,
    meets: size >= 10_000 ? elapsed < 5000 : undefined,
    note: `HR event on Kafka to the last of ${tokens.length} sampled tokens inactive at introspection; all ${agents.length} agents deprovisioned`,
  };
}

const CASCADE_RUNS = 3;

export async function benchProvisioner(context: BenchContext): Promise<void> {
  const harness = new ServiceHarness('provisioner', { env: { LOG_LEVEL: 'warn' } });
  const starting = context.progress('starting the provisioner');
  await harness.start();
  starting.done();
  try {
    for (const figure of await introspectionAtRate(context, harness, 2000, 15)) context.record(figure);
    context.record(await bareHttpFloor(context, 2000, 15));
    for (const size of [1000, 10_000]) {
      // The figure is the worst of the runs; after each run, the worst so far is recorded, so a failure in a later
      // run keeps the runs before it.
      const runs: BenchFigure[] = [];
      for (let r = 0; r < CASCADE_RUNS; r++) {
        runs.push(await cascade(context, harness, size, `run ${r + 1} of ${CASCADE_RUNS}`));
        const worst = runs.reduce((a, b) => (b.value > a.value ? b : a));
        const of =
          runs.length === CASCADE_RUNS
            ? `worst of ${CASCADE_RUNS} runs`
            : `worst of ${runs.length} run${runs.length > 1 ? 's' : ''} so far (of ${CASCADE_RUNS})`;
        context.record({ ...worst, note: `${worst.note}; ${of}: ${runs.map((x) => x.value.toFixed(0)).join(', ')} ms` });
      }
    }
  } finally {
    await harness.stop();
  }
}
