import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runCli } from './cli';

/** The CLI in this process with recorded streams: what it prints where, and its exit code. */
async function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const home = mkdtempSync(join(tmpdir(), 'agentgov-cli-'));
  try {
    const code = await runCli(argv, {
      env: { HOME: home, ...env },
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe('the agentgov command', () => {
  it('prints help on stdout and exits 0', async () => {
    const { code, stdout, stderr } = await run(['incidents', 'release', '--help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: agentgov incidents release <id> \[options\]/);
    expect(stderr).toBe('');
  });

  it('exits 2 on a wrong command line, with the error and the usage on stderr (and as JSON on stdout with --json)', async () => {
    const plain = await run(['owners', 'offboard', 'alice']);
    expect(plain).toEqual({
      code: 2,
      stdout: '',
      stderr: 'agentgov: --reason is required\nusage: agentgov owners offboard <id> [options]; `agentgov owners offboard --help` for more\n',
    });

    const json = await run(['agents', 'tree', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: 'missing <id>', exitCode: 2 } });
  });

  it('exits 1 when not signed in, saying how to sign in, before calling any API', async () => {
    const { code, stdout, stderr } = await run(['agents', 'list', '--json', '--provisioner-url', 'http://127.0.0.1:1']);

    expect(code).toBe(1);
    expect(stderr).toBe('agentgov: not signed in: run agentgov login, or give a token with --token or AGENTGOV_TOKEN\n');
    expect(JSON.parse(stdout)).toEqual({ error: { message: expect.stringMatching(/^not signed in/), exitCode: 1 } });
  });

  it('exits 1 with the service, its URL and where the URL comes from when a service cannot be reached', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    await new Promise((resolve) => server.close(resolve));
    const url = `http://127.0.0.1:${port}`;

    const { code, stderr } = await run(['policy', 'get'], { AGENTGOV_TOKEN: 'a.b.c', AGENTGOV_CONTAINMENT_URL: url });

    expect(code).toBe(1);
    expect(stderr).toBe(
      `agentgov: cannot reach the containment API at ${url} (ECONNREFUSED)\n` +
        '  is it running? Its URL comes from --containment-url, AGENTGOV_CONTAINMENT_URL or the configuration file\n',
    );
  });

  it('says login needs an issuer when none is configured', async () => {
    const { code, stderr } = await run(['login']);

    expect(code).toBe(1);
    expect(stderr).toContain('no OpenID issuer configured to sign in at\n  give --issuer, set AGENTGOV_OIDC_ISSUER');
  });
});
