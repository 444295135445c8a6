import { ChildProcessByStdio, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';

export const REPO_ROOT = resolve(__dirname, '../../..');

export interface SpawnServiceOptions {
  /** Folder under apps/, e.g. 'provisioner'. */
  app: string;
  /** The child's whole environment besides PATH: nothing leaks in from the test runner's own env. */
  env: Record<string, string>;
  /** Wait until GET /health/live answers 200 (default), or return at once (for processes expected to fail). */
  waitUntilLive?: boolean;
  startTimeoutMs?: number;
  /** Extra node flags before the script, e.g. ['--cpu-prof'] (flags NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /**
   * Where both output streams go, for a long-running process (the local stack): written there and not kept, so
   * stdout() and stderr() stay empty. By default they are kept in memory for the test to read.
   */
  logTo?: NodeJS.WritableStream;
}

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedService {
  readonly process: ChildProcessByStdio<null, Readable, Readable>;
  /** Base URL from HTTP_PORT in the given env. */
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited; rejects if it is still running after timeoutMs. */
  waitForExit(timeoutMs?: number): Promise<ServiceExit>;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ServiceExit>;
  /** SIGKILL if still running; for afterEach/afterAll. */
  kill(): void;
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Runs `node -r @swc-node/register apps/<app>/src/main.ts` from the repo root, as the services run in dev. */
export async function spawnService(options: SpawnServiceOptions): Promise<SpawnedService> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '-r', '@swc-node/register', `apps/${options.app}/src/main.ts`], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  if (options.logTo) {
    child.stdout.pipe(options.logTo, { end: false });
    child.stderr.pipe(options.logTo, { end: false });
  } else {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  }
  const exited = new Promise<ServiceExit>((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));

  const waitForExit = async (timeoutMs = 15_000): Promise<ServiceExit> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${options.app} still running after ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const service: SpawnedService = {
    process: child,
    url: `http://127.0.0.1:${options.env['HTTP_PORT']}`,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForExit,
    stop: async (signal = 'SIGTERM', timeoutMs) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return waitForExit(timeoutMs);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };

  if (options.waitUntilLive === false) return service;

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let running = true;
  void exited.then(() => (running = false));
  while (running) {
    try {
      const response = await fetch(`${service.url}/health/live`);
      if (response.status === 200) return service;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      service.kill();
      throw new Error(`${options.app} did not become live in time; stderr:\n${stderr}\nstdout:\n${stdout}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${options.app} exited before becoming live (${JSON.stringify(await exited)}); stderr:\n${stderr}\nstdout:\n${stdout}`);
}
