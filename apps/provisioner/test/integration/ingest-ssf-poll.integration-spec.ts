import { generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { CompactSign } from 'jose';

import { waitFor } from '@agentgov/test-support';

import { reportedKinds } from '../fixtures/lifecycle-events';
import { ProvisionerHarness } from '../support/provisioner-harness';

const ISSUER = 'https://idp.poll.example/';
const AUDIENCE = 'https://agentgov.poll.example/';
const POLL_TOKEN = `poll-token-${randomUUID()}`;
const ACCOUNT_DISABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';
const transmitterKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const attackerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

interface PollRequestSeen {
  authorization?: string;
  body: { maxEvents?: number; returnImmediately?: boolean; ack?: string[]; setErrs?: Record<string, { err: string; description?: string }> };
}

/**
 * A small Shared Signals transmitter serving RFC 8936 poll delivery over real HTTP: it holds SETs until they are
 * acknowledged or reported in error, answers only the expected bearer token, and records every request.
 */
class PollTransmitter {
  readonly requests: PollRequestSeen[] = [];
  /** What each successful poll was answered: how many SETs, and whether more were waiting. */
  readonly answers: Array<{ sets: number; moreAvailable: boolean }> = [];
  private readonly queued = new Map<string, string>();
  private server?: Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/poll`;
  }

  offer(jti: string, set: string): void {
    this.queued.set(jti, set);
  }

  get outstanding(): string[] {
    return [...this.queued.keys()];
  }

  acknowledged(jti: string): number {
    return this.requests.filter((r) => r.body.ack?.includes(jti)).length;
  }

  errorOf(jti: string): { err: string; description?: string } | undefined {
    return this.requests.map((r) => r.body.setErrs?.[jti]).find((e) => e !== undefined);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.method !== 'POST' || req.url !== '/poll') return answer(404, {});
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        this.requests.push({ authorization: req.headers.authorization, body });
        if (req.headers.authorization !== `Bearer ${POLL_TOKEN}`) return answer(401, { error: 'invalid_token' });
        for (const jti of [...(body.ack ?? []), ...Object.keys(body.setErrs ?? {})]) this.queued.delete(jti);
        const max = body.maxEvents ?? 100;
        const sets = Object.fromEntries([...this.queued].slice(0, max));
        this.answers.push({ sets: Object.keys(sets).length, moreAvailable: this.queued.size > max });
        answer(200, { sets, moreAvailable: this.queued.size > max });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function sign(payload: unknown, key: KeyObject = transmitterKey.privateKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', typ: 'secevent+jwt' }).sign(key);
}

function accountDisabled(email: string, overrides: Record<string, unknown> = {}) {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    jti: randomUUID(),
    iat: Math.floor(Date.now() / 1000),
    txn: randomUUID(),
    sub_id: { format: 'email', email },
    events: { [ACCOUNT_DISABLED]: { reason: 'hijacking' } },
    ...overrides,
  };
}

/**
 * The provisioner as a Shared Signals poll receiver (RFC 8936) against a real HTTP peer: a polled RISC
 * account-disabled suspends its owner through the same path as push, is acknowledged, and SETs it refuses are
 * reported in setErrs; after a crash that lost the acknowledgement, the same SET comes again and changes nothing.
 */
describe('Shared Signals poll receiver', () => {
  const transmitter = new PollTransmitter();
  let harness: ProvisionerHarness;

  beforeAll(async () => {
    await transmitter.start();
    harness = new ProvisionerHarness({
      SSF_TRANSMITTER_PUBLIC_KEY: transmitterKey.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      SSF_TRANSMITTER_ISSUER: ISSUER,
      SSF_AUDIENCE: AUDIENCE,
      SSF_POLL_URL: transmitter.url,
      SSF_POLL_TOKEN: POLL_TOKEN,
      SSF_POLL_INTERVAL_MS: '200',
      SSF_POLL_MAX_EVENTS: '2',
    });
    await harness.start();
  }, 60000);

  afterAll(async () => {
    await harness?.stop();
    await transmitter.stop();
  });

  it('applies a polled account-disabled like a pushed one, acknowledges it, reports refused SETs in setErrs, and applies nothing twice after a restart', async () => {
    const email = `polled.${randomUUID()}@example.com`;
    const { body: owner } = await harness.request('POST', '/owners', { email }, ['ingest']);
    const disabled = accountDisabled(email);
    const forged = accountDisabled(email);
    const misaddressed = accountDisabled(email, { aud: 'https://someone-else.example/' });
    const stale = accountDisabled(email, { iat: Math.floor(Date.now() / 1000) - 3 * 86_400 });
    transmitter.offer(disabled.jti, await sign(disabled));
    transmitter.offer(forged.jti, await sign(forged, attackerKey.privateKey));
    transmitter.offer(misaddressed.jti, await sign(misaddressed));
    transmitter.offer(stale.jti, await sign(stale));

    // Every poll carries the transmitter's token.
    await waitFor(
      async () => transmitter.requests.length,
      (n) => n >= 1,
      { what: 'the first poll' },
    );
    expect(transmitter.requests[0]).toMatchObject({ authorization: `Bearer ${POLL_TOKEN}`, body: { maxEvents: 2, returnImmediately: true } });

    await waitFor(
      () => harness.request('GET', `/owners/${owner.id}`, undefined, ['admin']),
      (r) => r.body.status === 'suspended',
      { timeoutMs: 30000, what: 'the polled account-disabled to suspend the owner' },
    );
    await waitFor(
      async () => transmitter.outstanding,
      (left) => left.length === 0,
      { what: 'every SET acknowledged or reported' },
    );
    expect(transmitter.acknowledged(disabled.jti)).toBe(1);
    // RFC 8936 §2.4.4: the refused ones, each with its RFC 8935 error code; never acknowledged.
    expect(transmitter.errorOf(forged.jti)).toMatchObject({ err: 'authentication_failed' });
    expect(transmitter.errorOf(misaddressed.jti)).toMatchObject({ err: 'invalid_audience' });
    expect(transmitter.errorOf(stale.jti)).toMatchObject({ err: 'invalid_request', description: expect.stringMatching(/older than/) });
    for (const refused of [forged, misaddressed, stale]) expect(transmitter.acknowledged(refused.jti)).toBe(0);
    expect(await reportedKinds(owner.id)).toEqual(['owner.suspended']);

    // A crash that lost the acknowledgement: the transmitter sends the same SET again to the restarted receiver.
    harness.service.kill();
    await harness.service.waitForExit(10000);
    transmitter.offer(disabled.jti, await sign(disabled));
    await harness.start();
    await waitFor(
      async () => transmitter.acknowledged(disabled.jti),
      (n) => n === 2,
      { timeoutMs: 30000, what: 'the SET polled and acknowledged again' },
    );
    // Applied once: its report id derives from its jti, so the second time is a duplicate.
    expect(await reportedKinds(owner.id)).toEqual(['owner.suspended']);
    expect(transmitter.outstanding).toEqual([]);
  }, 120000);

  it('takes a page of maxEvents at a time while the transmitter says moreAvailable', async () => {
    const emails = [0, 1, 2].map((i) => `page${i}.${randomUUID()}@example.com`);
    const owners = await Promise.all(emails.map(async (email) => (await harness.request('POST', '/owners', { email }, ['ingest'])).body.id as string));
    const before = transmitter.answers.length;
    const sets = emails.map((email) => accountDisabled(email));
    // Offered at once: the next poll sees three SETs, more than one page.
    const signed = await Promise.all(sets.map((set) => sign(set)));
    sets.forEach((set, i) => transmitter.offer(set.jti, signed[i]));
    await waitFor(
      async () => transmitter.outstanding,
      (left) => left.length === 0,
      { what: 'all three SETs acknowledged' },
    );
    for (const id of owners) {
      await waitFor(
        () => harness.request('GET', `/owners/${id}`, undefined, ['admin']),
        (r) => r.body.status === 'suspended',
        { what: 'each owner suspended' },
      );
    }
    const answers = transmitter.answers.slice(before).filter((a) => a.sets > 0);
    expect(answers.every((a) => a.sets <= 2)).toBe(true);
    expect(answers.some((a) => a.moreAvailable)).toBe(true);
    for (const set of sets) expect(transmitter.acknowledged(set.jti)).toBe(1);
  });
});
