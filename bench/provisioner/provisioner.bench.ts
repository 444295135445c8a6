import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

import { Topics } from '@agentgov/contracts';
import { ServiceHarness } from '@agentgov/service-testing';
import { withTestDatabase } from '@agentgov/test-support';

import { publishEvent, seedAgentChains, seedOwner } from '../../apps/provisioner/test/support/registry-seed';
import { BenchFigure, percentile } from '../bench-report';
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

/** Introspection p50/p99 at a fixed request rate, every answer checked. */
async function introspectionAtRate(harness: ServiceHarness, rate: number, seconds: number): Promise<BenchFigure[]> {
  const ownerId = await seedOwner();
  const { agents, secret } = await seedAgentChains({ ownerId, chains: 20, levels: 1 });
  const tokens = await Promise.all(agents.map((a) => issueToken(harness.url, a.id, secret)));
  const bearer = await harness.token(['introspect'], 'bench-resource-server');
  // Warm-up: connections, JIT, the key cache.
  await fixedRate(rate / 2, 3000, (i) => isActive(harness.url, bearer, tokens[i % tokens.length]));
  const run = await fixedRate(rate, seconds * 1000, (i) => isActive(harness.url, bearer, tokens[i % tokens.length]));
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
async function bareHttpFloor(rate: number, seconds: number): Promise<BenchFigure> {
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
    await fixedRate(rate / 2, 3000, send);
    const run = await fixedRate(rate, seconds * 1000, send);
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

/** An owner with `size` agents (chains four deep) is terminated by an HR event: time until every token is inactive. */
async function cascade(harness: ServiceHarness, size: number): Promise<BenchFigure> {
  const ownerId = await seedOwner();
  const { agents, secret } = await seedAgentChains({ ownerId, chains: size / 4, levels: 4 });
  // Tokens for a spread sample, the first and the last agent included; a cascade ends all of an agent's tokens
  // with one not-before write, in the same transaction for every agent, so the sample stands for all.
  const step = Math.max(1, Math.floor(agents.length / 100));
  const sample = agents.filter((_, i) => i % step === 0 || i === agents.length - 1);
  const tokens = await Promise.all(sample.map((a) => issueToken(harness.url, a.id, secret)));
  const bearer = await harness.token(['introspect'], 'bench-resource-server');
  if (!(await isActive(harness.url, bearer, tokens[tokens.length - 1]))) throw new Error('a fresh token is not active');

  const t0 = performance.now();
  await publishEvent(harness, Topics.IdentityLifecycle, { kind: 'owner.terminated', ownerId, source: 'workday', occurredAt: new Date().toISOString() });
  let remaining = tokens;
  while (remaining.length) {
    const active = await Promise.all(remaining.map((t) => isActive(harness.url, bearer, t)));
    remaining = remaining.filter((_, i) => active[i]);
    if (performance.now() - t0 > 120_000) throw new Error(`${remaining.length} tokens still active after 120 s`);
  }
  const elapsed = performance.now() - t0;
  const [{ n }] = await withTestDatabase(
    async (c) => (await c.query(`SELECT count(*)::int AS n FROM "provisioner"."agents" WHERE "owner_id" = $1 AND "status" = 'deprovisioned'`, [ownerId])).rows,
  );
  if (n !== agents.length) throw new Error(`only ${n} of ${agents.length} agents deprovisioned when the last sampled token went inactive`);
  return {
    name: `cascade: owner with ${size.toLocaleString('en')} agents terminated → every token inactive`,
    value: elapsed,
    unit: 'ms',
    target: size >= 10_000 ? '< 5 s (p99)' : undefined,
    meets: size >= 10_000 ? elapsed < 5000 : undefined,
    note: `HR event on Kafka to the last of ${tokens.length} sampled tokens inactive at introspection; all ${agents.length} agents deprovisioned`,
  };
}

export async function benchProvisioner(): Promise<BenchFigure[]> {
  const harness = new ServiceHarness('provisioner', { env: { LOG_LEVEL: 'warn' } });
  await harness.start();
  try {
    const figures: BenchFigure[] = [];
    figures.push(...(await introspectionAtRate(harness, 2000, 15)));
    figures.push(await bareHttpFloor(2000, 15));
    for (const size of [1000, 10_000]) {
      const runs: BenchFigure[] = [];
      for (let r = 0; r < 3; r++) runs.push(await cascade(harness, size));
      const worst = runs.reduce((a, b) => (b.value > a.value ? b : a));
      figures.push({ ...worst, note: `${worst.note}; worst of 3 runs: ${runs.map((x) => x.value.toFixed(0)).join(', ')} ms` });
    }
    return figures;
  } finally {
    await harness.stop();
  }
}
