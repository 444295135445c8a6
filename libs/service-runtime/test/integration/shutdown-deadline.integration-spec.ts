import { spawn } from 'node:child_process';
import { AddressInfo, createServer } from 'node:net';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../../..');
const FIXTURE = resolve(__dirname, 'fixtures/hanging-shutdown.main.ts');

// Not from test-support: a data-access lib may not depend on it.
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('a shutdown that hangs', () => {
  it('ends with a non-zero exit and a log line once SHUTDOWN_TIMEOUT_MS has passed', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', FIXTURE], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', HTTP_PORT: String(port), SHUTDOWN_TIMEOUT_MS: '700' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      while (!stdout.includes('listening on port')) await new Promise((r) => setTimeout(r, 50));

      const started = Date.now();
      child.kill('SIGTERM');
      const code = await exited;

      expect(code).toBe(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(650);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(stdout).toContain('hanging did not shut down within 700 ms; exiting');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
