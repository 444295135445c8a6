import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BenchReportData } from './bench-report';
import { Benchmark, runBenchmarks, summaryLines } from './bench-run';

let dir: string;
let output: string[];
const stream = { write: (chunk: string) => output.push(chunk), isTTY: false };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bench-run-'));
  output = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const onDisk = () => JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as BenchReportData;
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('running the benchmarks', () => {
  it('writes each figure when it is measured; a benchmark that throws is recorded as failed and the next one runs', async () => {
    const seenDuringSecond: BenchReportData[] = [];
    const benchmarks: Benchmark[] = [
      {
        name: 'provisioner',
        run: async (context) => {
          context.record({ name: 'introspection p50', value: 0.7, unit: 'ms' });
          context.record({ name: 'introspection p99', value: 4.6, unit: 'ms', target: '< 5 ms', meets: true });
        },
      },
      {
        name: 'behavior-baseliner',
        run: async (context) => {
          seenDuringSecond.push(onDisk());
          context.record({ name: 'raw consumption', value: 107_969, unit: 'events/s' });
          seenDuringSecond.push(onDisk());
          const phase = context.progress('scoring the backlog', { total: 1_000_000, unit: 'events' });
          phase.update(400_000);
          throw new Error(`the broker restarted under the bench (token ${JWT})`);
        },
      },
      { name: 'containment', run: async (context) => context.record({ name: 'containment p99', value: 610, unit: 'ms', target: '< 500 ms', meets: false }) },
    ];

    const report = await runBenchmarks(benchmarks, { dir, stream, problemAfterFailure: async () => undefined });

    // While the second benchmark ran, the first one's figures were already on disk, then its own first figure.
    expect(seenDuringSecond[0].figures.map((f) => f.name)).toEqual(['introspection p50', 'introspection p99']);
    expect(seenDuringSecond[0].benchmarks.map((b) => b.status)).toEqual(['done', 'running', 'pending']);
    expect(seenDuringSecond[1].figures.map((f) => f.name)).toEqual(['introspection p50', 'introspection p99', 'raw consumption']);

    const final = onDisk();
    expect(final.status).toBe('failed');
    expect(final.figures.map((f) => f.name)).toEqual(['introspection p50', 'introspection p99', 'raw consumption', 'containment p99']);
    expect(final.benchmarks).toEqual([
      { name: 'provisioner', status: 'done' },
      { name: 'behavior-baseliner', status: 'failed', error: expect.stringContaining('the broker restarted under the bench') },
      { name: 'containment', status: 'done' },
    ]);
    expect(JSON.stringify(final)).not.toContain(JWT);
    expect(readFileSync(join(dir, 'latest.md'), 'utf8')).not.toContain(JWT);
    expect(report.failed).toBe(true);

    const text = output.join('');
    expect(text).not.toContain(JWT);
    expect(text).toContain('benchmark 2 of 3: behavior-baseliner\n');
    expect(text).toContain('[1/3 provisioner] measured introspection p99: 4.60 ms (target < 5 ms: met)\n');
    // The phase the benchmark was in when it threw ends as failed, saying how far it got.
    expect(text).toMatch(/\[2\/3 behavior-baseliner\] scoring the backlog: FAILED after .* · 400,000\/1,000,000 events · .*the broker restarted/);
    expect(text).toMatch(/benchmark 2 of 3: behavior-baseliner FAILED after .*: the broker restarted under the bench/);
    expect(summaryLines(report, 'bench/results/latest.md')).toEqual([
      'introspection p50: 0.70 ms',
      'introspection p99: 4.60 ms (target < 5 ms: met)',
      'raw consumption: 107969 events/s',
      'containment p99: 610 ms (target < 500 ms: NOT met)',
      expect.stringMatching(/^behavior-baseliner failed: the broker restarted/),
      'INCOMPLETE: bench/results/latest.md',
    ]);
  });

  it('skips the benchmarks left when running them is not safe after a failure', async () => {
    const ran: string[] = [];
    const benchmark = (name: string, fails = false): Benchmark => ({
      name,
      run: async () => {
        ran.push(name);
        if (fails) throw new Error('connect ECONNREFUSED 127.0.0.1:9094');
      },
    });
    const report = await runBenchmarks([benchmark('provisioner', true), benchmark('behavior-baseliner'), benchmark('containment')], {
      dir,
      stream,
      problemAfterFailure: async () => 'the Kafka broker did not answer for 60 s after the failure',
    });
    expect(ran).toEqual(['provisioner']);
    expect(onDisk().benchmarks).toEqual([
      { name: 'provisioner', status: 'failed', error: 'connect ECONNREFUSED 127.0.0.1:9094' },
      { name: 'behavior-baseliner', status: 'skipped', error: 'the Kafka broker did not answer for 60 s after the failure' },
      { name: 'containment', status: 'skipped', error: 'the Kafka broker did not answer for 60 s after the failure' },
    ]);
    expect(report.failed).toBe(true);
  });

  it('says what runs and how far along it is, each line prefixed with the benchmark', async () => {
    await runBenchmarks(
      [
        {
          name: 'containment',
          run: async (context) => {
            context.log('stack up');
            const bursts = context.progress('bursts', { total: 30, unit: 'bursts' });
            for (let i = 0; i < 30; i++) bursts.tick();
            bursts.done();
            await context.pause('warm-up', 1100);
          },
        },
      ],
      { dir, stream },
    );
    const lines = output.join('').split('\n').filter(Boolean);
    expect(lines[0]).toBe('benchmark 1 of 1: containment');
    expect(lines).toContain('[1/1 containment] stack up');
    expect(lines).toContain('[1/1 containment] bursts: started (30 bursts)');
    expect(lines.find((l) => l.startsWith('[1/1 containment] bursts: done'))).toMatch(/ · 30\/30 bursts$/);
    expect(lines).toContain('[1/1 containment] warm-up: started (2 s)');
    expect(lines.find((l) => l.startsWith('[1/1 containment] warm-up: done in'))).toContain('2/2 s');
    expect(lines[lines.length - 1]).toMatch(/^benchmark 1 of 1: containment done in /);
    expect(onDisk().status).toBe('complete');
  });
});
