import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

import { ServiceName } from '@agentgov/contracts';
import { freePort, REPO_ROOT, SpawnedService, spawnService } from '@agentgov/test-support';

import { Stack } from './stack';

/** Where `vite build` writes the console's single-page app (the server's default CONSOLE_STATIC_DIR). */
export const CONSOLE_DIST_DIR = join(REPO_ROOT, 'apps/console/dist');

const UPSTREAM_ENV: Record<ServiceName, string> = {
  provisioner: 'PROVISIONER_URL',
  'behavior-baseliner': 'BEHAVIOR_BASELINER_URL',
  containment: 'CONTAINMENT_URL',
  'review-scheduler': 'REVIEW_SCHEDULER_URL',
};

let built = false;

/**
 * Builds the console's single-page app into apps/console/dist (`vite build`, a few seconds), once per process: the
 * tests and `npm start` serve what the sources say now, never an old build.
 */
export function buildConsole(): void {
  if (built) return;
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/console/web/vite.config.mjs'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
  });
  if (result.status !== 0) throw new Error(`vite build of the console failed (status ${result.status}):\n${result.stderr}${result.stdout}`);
  built = true;
}

export interface ConsoleServerOptions {
  /** AUTH_OIDC_ISSUER: where people sign in. */
  issuer: string;
  /** AUTH_OIDC_ROLE_MAP, AUTH_OIDC_ROLES_CLAIM and AUTH_OIDC_SUBJECT_CLAIM, as the services have them. */
  roleMap: string;
  rolesClaim?: string;
  subjectClaim?: string;
  /** The services' base URLs; a service not given keeps the server's default (127.0.0.1:300x). */
  upstreams?: Partial<Record<ServiceName, string>>;
  /** A fixed port (npm start: 3005); a free one by default. */
  port?: number;
  /** Append the server's output to this file instead of keeping it in memory. */
  logFile?: string;
  /** More environment, on top of the above. */
  env?: Record<string, string>;
}

/**
 * The console's server (apps/console) as a real process, serving the freshly built single-page app and forwarding to
 * the services given: for the browser tests and `npm start`.
 */
export class ConsoleServer {
  service!: SpawnedService;

  constructor(private readonly options: ConsoleServerOptions) {}

  /** A console in front of every service of a running stack. */
  static forStack(stack: Stack, options: Omit<ConsoleServerOptions, 'upstreams'>): ConsoleServer {
    return new ConsoleServer({ ...options, upstreams: Object.fromEntries(stack.services.map((s) => [s, stack.harness(s).url])) });
  }

  get url(): string {
    return this.service.url;
  }

  async start(): Promise<void> {
    buildConsole();
    const port = this.options.port ?? (await freePort());
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      HTTP_PORT: String(port),
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
      AUTH_OIDC_ISSUER: this.options.issuer,
      AUTH_OIDC_ROLE_MAP: this.options.roleMap,
      ...(this.options.rolesClaim ? { AUTH_OIDC_ROLES_CLAIM: this.options.rolesClaim } : {}),
      ...(this.options.subjectClaim ? { AUTH_OIDC_SUBJECT_CLAIM: this.options.subjectClaim } : {}),
      ...Object.fromEntries(Object.entries(this.options.upstreams ?? {}).map(([service, url]) => [UPSTREAM_ENV[service as ServiceName], url])),
      ...this.options.env,
    };
    const log = this.options.logFile ? createWriteStream(this.options.logFile, { flags: 'a' }) : undefined;
    this.service = await spawnService({ app: 'console', env, logTo: log });
    if (log) this.service.process.once('close', () => log.end());
  }

  async stop(): Promise<void> {
    await this.service?.stop('SIGTERM', 15_000).catch(() => this.service.kill());
  }
}
