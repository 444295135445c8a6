import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BenchReport, BenchReportData, errorSummary, machine, writeFileAtomically } from './bench-report';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const onDisk = () => ({
  json: JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as BenchReportData,
  md: readFileSync(join(dir, 'latest.md'), 'utf8'),
});

describe('the benchmark report', () => {
  it('is on disk after every figure, not only at the end of the run', () => {
    const report = new BenchReport(['provisioner', 'containment'], dir, new Date('2026-12-06T15:30:54.718Z'));
    report.start('provisioner');
    report.record({ name: 'introspection p99 at 2000 req/s', value: 4.6109, unit: 'ms', target: '< 5 ms', meets: true, note: '30000 requests' });
    let files = onDisk();
    expect(files.json.figures).toEqual([
      { name: 'introspection p99 at 2000 req/s', value: 4.6109, unit: 'ms', target: '< 5 ms', meets: true, note: '30000 requests' },
    ]);
    expect(files.json.status).toBe('running');
    expect(files.md).toContain('| introspection p99 at 2000 req/s | 4.61 ms | < 5 ms | yes | 30000 requests |');
    expect(files.md).toContain('Still running: provisioner running, containment pending.');

    report.record({ name: 'cascade', value: 1271.4, unit: 'ms', note: 'worst of 1 run so far' });
    report.record({ name: 'cascade', value: 3285.1, unit: 'ms', note: 'worst of 2 runs so far' });
    files = onDisk();
    // A figure recorded again (the worst or best so far) replaces the earlier one in place.
    expect(files.json.figures.map((f) => [f.name, f.value])).toEqual([
      ['introspection p99 at 2000 req/s', 4.6109],
      ['cascade', 3285.1],
    ]);
  });

  it('keeps the format readers know when the run completes: at, machine and figures, and the same markdown table', () => {
    const report = new BenchReport(['baseliner'], dir, new Date('2026-12-06T15:30:54.718Z'));
    report.start('baseliner');
    report.record({ name: 'baseliner state per agent (serialised)', value: 1719, unit: 'bytes', target: '< 2 KB', meets: true, note: '10000 agents' });
    report.record({ name: 'containment p99', value: 746.3, unit: 'ms', target: '< 500 ms', meets: false });
    report.done('baseliner');
    report.finish();
    const { json, md } = onDisk();
    expect(json).toMatchObject({ at: '2026-12-06T15:30:54.718Z', machine: machine(), status: 'complete', benchmarks: [{ name: 'baseliner', status: 'done' }] });
    expect(md).toBe(
      [
        '# Benchmarks',
        '',
        `Run at 2026-12-06T15:30:54.718Z on ${machine()}.`,
        '',
        '| figure | value | target | meets | note |',
        '| --- | --- | --- | --- | --- |',
        '| baseliner state per agent (serialised) | 1719 bytes | < 2 KB | yes | 10000 agents |',
        '| containment p99 | 746.30 ms | < 500 ms | **no** |  |',
        '',
      ].join('\n'),
    );
  });

  it('records a failed benchmark with its error, keeps the figures before it, and ends as failed', () => {
    const report = new BenchReport(['provisioner', 'containment'], dir);
    report.start('provisioner');
    report.record({ name: 'introspection p50', value: 0.7, unit: 'ms' });
    report.done('provisioner');
    report.start('containment');
    report.fail('containment', new Error('KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9094'));
    report.finish();
    const { json, md } = onDisk();
    expect(json.status).toBe('failed');
    expect(json.figures).toEqual([{ name: 'introspection p50', value: 0.7, unit: 'ms' }]);
    expect(json.benchmarks).toEqual([
      { name: 'provisioner', status: 'done' },
      { name: 'containment', status: 'failed', error: 'KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9094' },
    ]);
    expect(md).toContain('**Incomplete**: provisioner done, containment **failed**.');
    expect(md).toContain('| introspection p50 | 0.70 ms |  |  |  |');
    expect(md).toContain('## Not measured\n\n- containment failed: KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9094\n');
    expect(report.failed).toBe(true);
  });

  it('writes no credential of an error into the report', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const summary = errorSummary(new Error(`introspection answered 401 for Authorization: Bearer ${jwt}\n    at somewhere`));
    expect(summary).not.toContain(jwt);
    expect(summary).toMatch(/^introspection answered 401/);
    expect(summary).not.toContain('\n');
  });
});

describe('writing a report file', () => {
  it('replaces the file in one step (a new file renamed over it), so a reader never sees half of one', () => {
    const path = join(dir, 'latest.json');
    writeFileSync(path, 'old report');
    // A second name for the old file: writing into the file in place would change it too; a rename leaves it be.
    linkSync(path, join(dir, 'reader-holds-the-old-file'));
    writeFileAtomically(path, 'new report');
    expect(readFileSync(path, 'utf8')).toBe('new report');
    expect(readFileSync(join(dir, 'reader-holds-the-old-file'), 'utf8')).toBe('old report');
    expect(readdirSync(dir).sort()).toEqual(['latest.json', 'reader-holds-the-old-file']);
  });

  it('leaves no temporary file behind when the new file cannot be put in place', () => {
    // The report's name is taken by a folder with something in it: the rename over it fails.
    const path = join(dir, 'latest.json');
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), '');
    expect(() => writeFileAtomically(path, 'new report')).toThrow();
    expect(readdirSync(dir)).toEqual(['latest.json']);
  });
});
