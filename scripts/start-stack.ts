/**
 * `npm start`: the whole stack on this machine. Starts Kafka (and checks PostgreSQL), migrates every
 * schema, starts the four services with the local dev key, waits until each is ready, runs the narrated
 * demonstration of the flows (scripts/demo), prints where everything is, and keeps running until Ctrl-C, when
 * it stops the services it started.
 * Logs of each service go to tmp/logs/<service>.log.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ensureDevKeyPair, mintDevToken } from '../libs/auth/src';
import { runDemonstration } from './demo/flows-demonstration';

const ROOT = resolve(__dirname, '..');
const SERVICES = [
  { app: 'provisioner', port: 3001 },
  { app: 'behavior-baseliner', port: 3002 },
  { app: 'containment', port: 3003 },
  { app: 'review-scheduler', port: 3004 },
];
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/agentgov';
const children: ChildProcess[] = [];

function step(message: string): void {
  process.stdout.write(`\n▶ ${message}\n`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with status ${result.status}`);
}

async function waitReady(url: string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} was not ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function stopAll(): Promise<void> {
  await Promise.all(
    children
      .filter((c) => c.exitCode === null)
      .map(
        (child) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
  );
}

/**
 * Universal logout on this machine reaches the provisioner's built-in issuer, with a service token (role
 * ingest) minted from the local dev key. Other connectors are added to the file as described in
 * apps/containment/README.md.
 */
async function writeLocalConnectors(privateKey: Parameters<typeof mintDevToken>[0]['privateKey']): Promise<string> {
  const bearerToken = await mintDevToken({ sub: 'containment-service', roles: ['ingest'], ttlSeconds: 24 * 3600, privateKey });
  const dir = join(ROOT, 'tmp/containment');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'connectors.json');
  writeFileSync(file, `${JSON.stringify([{ name: 'issuer', type: 'builtin-issuer', baseUrl: 'http://127.0.0.1:3001', bearerToken }], null, 2)}\n`, { mode: 0o600 });
  return file;
}

async function main(): Promise<void> {
  step('Starting Kafka and checking PostgreSQL');
  run('bash', ['scripts/infra/infra.sh', 'up']);

  step('Applying every service migration');
  run(process.execPath, ['-r', '@swc-node/register', 'scripts/db-migrate.ts'], { ...process.env, DATABASE_URL });

  step('Preparing the local signing key for API tokens (tmp/dev-auth)');
  const keys = await ensureDevKeyPair(join(ROOT, 'tmp/dev-auth'));

  step('Connecting containment to the built-in issuer (tmp/containment/connectors.json)');
  const serviceEnv: Record<string, NodeJS.ProcessEnv> = { containment: { CONNECTORS_FILE: await writeLocalConnectors(keys.privateJwk) } };

  step('Starting the four services');
  const logDir = join(ROOT, 'tmp/logs');
  mkdirSync(logDir, { recursive: true });
  for (const service of SERVICES) {
    const log = createWriteStream(join(logDir, `${service.app}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['-r', '@swc-node/register', `apps/${service.app}/src/main.ts`], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        HTTP_PORT: String(service.port),
        DATABASE_URL,
        KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
        AUTH_ISSUER: 'agentgov-dev',
        AUTH_AUDIENCE: 'agentgov',
        AUTH_PUBLIC_KEY_FILE: keys.publicKeyFile,
        ...serviceEnv[service.app],
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    child.once('exit', (code, signal) => {
      if (!stopping) process.stdout.write(`  ✖ ${service.app} exited (${signal ?? code}); see tmp/logs/${service.app}.log\n`);
    });
    children.push(child);
  }
  await Promise.all(
    SERVICES.map(async (service) => {
      await waitReady(`http://127.0.0.1:${service.port}`);
      process.stdout.write(`  ✔ ${service.app} ready on :${service.port}\n`);
    }),
  );

  const adminToken = await mintDevToken({ sub: 'local-admin', roles: ['admin'], ttlSeconds: 8 * 3600, privateKey: keys.privateJwk });
  if (process.env.DEMO !== 'false') {
    step('Demonstration of the flows (DEMO=false skips it)');
    const started = Date.now();
    await runDemonstration({ adminToken, brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), say: (line) => process.stdout.write(`  ${line}\n`) }).then(
      () => process.stdout.write(`  demonstration done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`),
      (error: Error) => process.stdout.write(`  ✖ demonstration stopped: ${error.message} (the stack keeps running; see tmp/logs)\n`),
    );
  }
  step('The stack is up');
  for (const service of SERVICES) {
    const base = `http://127.0.0.1:${service.port}`;
    process.stdout.write(`  ${service.app.padEnd(20)} API ${base}   OpenAPI ${base}/docs   metrics ${base}/metrics\n`);
  }
  process.stdout.write(
    `\n  An admin token valid for 8 hours was written to tmp/dev-auth/admin.token; mint others with\n` +
      `  npm run -s auth:mint-token -- --sub alice --roles soc-analyst\n` +
      `  Logs: tmp/logs/<service>.log.\n` +
      `\n  Press Ctrl-C to stop the services (Kafka keeps running; npm run infra:down stops it).\n`,
  );
  writeFileSync(join(ROOT, 'tmp/dev-auth/admin.token'), `${adminToken}\n`, { mode: 0o600 });
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\n▶ Stopping the services\n');
    stopAll().then(() => process.exit(0));
  });
}

main().catch(async (error) => {
  process.stderr.write(`\nstart failed: ${error instanceof Error ? error.message : String(error)}\n`);
  stopping = true;
  await stopAll();
  process.exit(1);
});
