import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { authConfigFromEnv } from './auth-config';
import { createTokenVerifier } from './token-verifier';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '../../../..');

function mintToken(args: string[]) {
  return run(process.execPath, ['-r', '@swc-node/register', 'scripts/mint-token.ts', ...args], { cwd: repoRoot });
}

describe('scripts/mint-token.ts', () => {
  let dir: string;

  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'mint-token-')), 'dev-auth');
  });

  afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('prints only a token that a service configured with the generated public.pem accepts', async () => {
    const { stdout, stderr } = await mintToken(['--sub', 'alice', '--roles', 'admin,soc-analyst', '--ttl', '120', '--dir', dir]);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(stderr).toContain(`AUTH_PUBLIC_KEY_FILE=${join(dir, 'public.pem')}`);

    const verify = createTokenVerifier(
      authConfigFromEnv({ AUTH_ISSUER: 'agentgov-dev', AUTH_AUDIENCE: 'agentgov', AUTH_PUBLIC_KEY_FILE: join(dir, 'public.pem') }),
    );
    const principal = await verify(`Bearer ${stdout.trim()}`);
    expect(principal).toMatchObject({ subject: 'alice', roles: ['admin', 'soc-analyst'] });
    expect(principal.claims.exp! - principal.claims.iat!).toBe(120);

    const second = await mintToken(['--sub', 'bob', '--roles', 'reviewer', '--dir', dir]);
    expect(second.stderr).toBe('');
    await expect(verify(`Bearer ${second.stdout.trim()}`)).resolves.toMatchObject({ subject: 'bob', roles: ['reviewer'] });
  }, 30_000);

  it('exits 2 with usage on stderr and nothing on stdout for a bad role or a missing subject', async () => {
    for (const args of [
      ['--sub', 'alice', '--roles', 'root'],
      ['--roles', 'admin'],
      ['--sub', 'a', '--ttl', '-5'],
    ]) {
      const failure = await mintToken([...args, '--dir', dir]).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure).toMatchObject({ code: 2, stdout: '' });
      expect(failure!.stderr).toContain('usage: npm run -s auth:mint-token');
    }
  }, 30_000);
});
