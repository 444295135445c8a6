import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../../..');
/** The binary `npx agentgov` runs (the root package.json's bin). */
export const AGENTGOV_BIN = join(REPO_ROOT, 'apps/cli/bin/agentgov.js');

export interface AgentgovRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as JSON (a command run with --json). */
  json(): any;
}

/**
 * The real `agentgov` binary as child processes, as an operator runs it: its own home folder (so that the stored
 * credentials are the test's), the environment the test gives and nothing of the test runner's AGENTGOV_* or KAFKA_*.
 */
export class AgentgovCli {
  readonly home = mkdtempSync(join(tmpdir(), 'agentgov-cli-home-'));

  constructor(private readonly env: Record<string, string> = {}) {}

  private environment(extra: Record<string, string>): Record<string, string> {
    const inherited = Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('AGENTGOV_') && !e[0].startsWith('KAFKA_') && e[0] !== 'XDG_CONFIG_HOME',
    );
    return { ...Object.fromEntries(inherited), HOME: this.home, ...this.env, ...extra };
  }

  /** Starts `node apps/cli/bin/agentgov.js <args>` (or `npx agentgov <args>`) and gives the process, for a test to talk to. */
  start(args: string[], options: { env?: Record<string, string>; npx?: boolean; cwd?: string } = {}): ChildProcess {
    const [command, argv] = options.npx ? ['npx', ['--offline', 'agentgov', ...args]] : [process.execPath, [AGENTGOV_BIN, ...args]];
    return spawn(command, argv, { cwd: options.cwd ?? REPO_ROOT, env: this.environment(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Runs one command to its end. */
  run(args: string[], options: { env?: Record<string, string>; npx?: boolean; cwd?: string; timeoutMs?: number } = {}): Promise<AgentgovRun> {
    const child = this.start(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`agentgov ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, options.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise({
          code,
          stdout,
          stderr,
          json: () => {
            try {
              return JSON.parse(stdout);
            } catch {
              throw new Error(`agentgov ${args.join(' ')} printed no JSON (exit ${code})\nstdout: ${stdout}\nstderr: ${stderr}`);
            }
          },
        });
      });
    });
  }

  /** Removes the home folder (and the credentials in it). */
  cleanUp(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}
