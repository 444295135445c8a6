import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SERVICE_NAMES } from '@agentgov/contracts';

import { writeConnectorsFile } from './connectors-file';
import { RecordingReceiver } from './recording-receiver';
import { Stack } from './stack';

describe('the pieces a stack is made of', () => {
  it('writes a connectors file only its owner can read, where asked or under the temporary folder', () => {
    const entries = [{ name: 'issuer', type: 'builtin-issuer', baseUrl: 'http://127.0.0.1:3001', bearerToken: 'token' }];
    const fresh = writeConnectorsFile(entries);
    const asked = writeConnectorsFile(entries, join(tmpdir(), `connectors-test-${process.pid}`, 'nested', 'connectors.json'));
    try {
      expect(fresh.startsWith(tmpdir())).toBe(true);
      expect(asked).toBe(join(tmpdir(), `connectors-test-${process.pid}`, 'nested', 'connectors.json'));
      for (const file of [fresh, asked]) {
        expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(entries);
        expect(statSync(file).mode & 0o777).toBe(0o600);
      }
    } finally {
      rmSync(fresh, { force: true });
      rmSync(join(tmpdir(), `connectors-test-${process.pid}`), { recursive: true, force: true });
    }
  });

  it('records what a receiver is sent and answers as scripted', async () => {
    const receiver = await new RecordingReceiver((_, i) => (i === 0 ? { status: 503 } : { status: 202, body: { ok: true } })).start();
    try {
      const first = await fetch(`${receiver.url}/events?agent=a-1`, { method: 'POST', body: 'first' });
      const second = await fetch(`${receiver.url}/events`, { method: 'POST', body: '{"agentId":"a-2"}' });
      expect([first.status, second.status]).toEqual([503, 202]);
      expect(await second.json()).toEqual({ ok: true });
      expect(receiver.requests.map((r) => [r.method, r.path, r.body])).toEqual([
        ['POST', '/events?agent=a-1', 'first'],
        ['POST', '/events', '{"agentId":"a-2"}'],
      ]);
      expect(receiver.about('a-2').map((r) => r.body)).toEqual(['{"agentId":"a-2"}']);
    } finally {
      await receiver.stop();
    }
  });

  it('runs every service or the ones asked for, in start order, on one topic prefix', () => {
    const all = new Stack();
    expect(all.services).toEqual([...SERVICE_NAMES]);
    expect(new Set(all.harnesses.map((h) => h.topicPrefix))).toEqual(new Set([all.topicPrefix]));

    const some = new Stack({ run: ['review-scheduler', 'containment'] });
    expect(some.services).toEqual(['containment', 'review-scheduler']);
    expect(() => some.provisioner).toThrow('provisioner is not part of this stack');
    expect(() => new Stack({ run: ['containment'], connectors: () => [] })).toThrow(/provisioner/);
    expect(() => new Stack({ run: ['provisioner'], connectors: () => [] })).toThrow(/containment/);
  });
});
