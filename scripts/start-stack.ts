/**
 * `npm start`: the whole stack on this machine. Starts Kafka (and checks PostgreSQL), migrates every
 * schema, makes the SOC console's realm at the local Keycloak (its people's passwords in tmp/console), starts the four
 * services with the local dev key and that realm as the issuer for people, and the console in front of them, waits
 * until each is ready, runs the narrated demonstration of the flows (scripts/demo), prints where everything is, and
 * keeps running until Ctrl-C, when it stops what it started.
 * The services run through the same Stack as the system tests (libs/service-testing), here on fixed ports, on the
 * development database and topics (no prefix) and with the local dev key. Logs of each service go to
 * tmp/logs/<service>.log.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ensureDevKeyPair, mintDevToken } from '@agentgov/auth';
import { ServiceName } from '@agentgov/contracts';
import { createKafkaClient } from '@agentgov/messaging';
import { ConsoleServer, Stack, writeConnectorsFile } from '@agentgov/service-testing';
import { CONSOLE_ROLE_MAP, CONSOLE_ROLES_CLAIM, ensureConsoleRealm, LOCAL_SECURE_BROKERS, localBrokerSecurity } from '@agentgov/test-support';

import { runDemonstration } from './demo/flows-demonstration';

const ROOT = resolve(__dirname, '..');
const PORTS: Record<ServiceName, number> = { provisioner: 3001, 'behavior-baseliner': 3002, containment: 3003, 'review-scheduler': 3004 };
const CONSOLE_PORT = 3005;
const CONSOLE_USERS_FILE = 'tmp/console/demo-users.json';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/agentgov';
let stack: Stack | undefined;
let consoleServer: ConsoleServer | undefined;

function step(message: string): void {
  process.stdout.write(`\n▶ ${message}\n`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with status ${result.status}`);
}

/** SIGTERM to every service started, SIGKILL to one still running 15 s later. */
async function stopAll(): Promise<void> {
  await consoleServer?.stop();
  await stack?.stop();
}

/**
 * Universal logout on this machine reaches the provisioner's built-in issuer, with a service token (role
 * ingest) minted from the local dev key. Other connectors are added to the file as described in
 * apps/containment/README.md.
 */
async function writeLocalConnectors(privateKey: Parameters<typeof mintDevToken>[0]['privateKey']): Promise<string> {
  const bearerToken = await mintDevToken({ sub: 'containment-service', roles: ['revoke-tokens'], ttlSeconds: 24 * 3600, privateKey });
  return writeConnectorsFile(
    [{ name: 'issuer', type: 'builtin-issuer', baseUrl: `http://127.0.0.1:${PORTS.provisioner}`, bearerToken }],
    join(ROOT, 'tmp/containment/connectors.json'),
  );
}

async function main(): Promise<void> {
  step('Starting Kafka and checking PostgreSQL');
  run('bash', ['scripts/infra/infra.sh', 'up']);

  step('Applying every service migration');
  run(process.execPath, ['-r', '@swc-node/register', 'scripts/db-migrate.ts'], { ...process.env, DATABASE_URL });

  step('Preparing the local signing key for API tokens (tmp/dev-auth)');
  const keys = await ensureDevKeyPair(join(ROOT, 'tmp/dev-auth'));

  step('Connecting containment to the built-in issuer (tmp/containment/connectors.json)');
  const connectorsFile = await writeLocalConnectors(keys.privateJwk);

  step(`Making the SOC console's realm at the local Keycloak (its people's passwords: ${CONSOLE_USERS_FILE})`);
  const realm = await ensureConsoleRealm({
    name: 'agentgov',
    origins: [`http://127.0.0.1:${CONSOLE_PORT}`, `http://localhost:${CONSOLE_PORT}`],
    audience: 'agentgov',
    passwordsFile: join(ROOT, CONSOLE_USERS_FILE),
  });
  // People sign in there; the services trust it beside the local dev key, with the realm's roles mapped to theirs.
  const people = {
    AUTH_OIDC_ISSUER: realm.issuer,
    AUTH_OIDC_AUDIENCE: 'agentgov',
    AUTH_OIDC_ROLES_CLAIM: CONSOLE_ROLES_CLAIM,
    AUTH_OIDC_ROLE_MAP: CONSOLE_ROLE_MAP,
    AUTH_OIDC_SUBJECT_CLAIM: 'preferred_username',
  };

  step('Starting the four services');
  stack = new Stack({
    ports: PORTS,
    logDir: join(ROOT, 'tmp/logs'),
    startTimeoutMs: 60000,
    // The developer's environment reaches the services; what follows is fixed. The test settings of the stack's
    // harnesses (topic prefix, log level, shutdown grace, their own token key) are unset: the services' defaults,
    // or the environment's values, apply.
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL,
      // Each service connects to the local broker's locked-down listener as its own principal (the harness's
      // settings); KAFKA_BROKERS and the KAFKA_SECURITY_* variables of the environment, if set, replace them.
      KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX,
      LOG_LEVEL: process.env.LOG_LEVEL,
      SHUTDOWN_TIMEOUT_MS: process.env.SHUTDOWN_TIMEOUT_MS,
      AUTH_ISSUER: 'agentgov-dev',
      AUTH_AUDIENCE: 'agentgov',
      AUTH_PUBLIC_KEY: undefined,
      AUTH_PUBLIC_KEY_FILE: keys.publicKeyFile,
      AUTH_OIDC_JWKS_URL: undefined,
      ...people,
    },
    services: { containment: { CONNECTORS_FILE: connectorsFile } },
  });
  await stack.start();
  for (const service of stack.services) {
    process.stdout.write(`  ✔ ${service} ready on :${PORTS[service]}\n`);
    stack.harness(service).service.process.once('exit', (code, signal) => {
      if (!stopping) process.stdout.write(`  ✖ ${service} exited (${signal ?? code}); see tmp/logs/${service}.log\n`);
    });
  }

  consoleServer = ConsoleServer.forStack(stack, {
    issuer: realm.issuer,
    roleMap: people.AUTH_OIDC_ROLE_MAP,
    rolesClaim: people.AUTH_OIDC_ROLES_CLAIM,
    subjectClaim: people.AUTH_OIDC_SUBJECT_CLAIM,
    port: CONSOLE_PORT,
    logFile: join(ROOT, 'tmp/logs/console.log'),
    env: { NODE_ENV: 'development', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
  });
  await consoleServer.start();
  process.stdout.write(`  ✔ console ready on :${CONSOLE_PORT}\n`);
  consoleServer.service.process.once('exit', (code, signal) => {
    if (!stopping) process.stdout.write(`  ✖ console exited (${signal ?? code}); see tmp/logs/console.log\n`);
  });

  const adminToken = await mintDevToken({ sub: 'local-admin', roles: ['admin'], ttlSeconds: 8 * 3600, privateKey: keys.privateJwk });
  if (process.env.DEMO !== 'false') {
    step('Demonstration of the flows (DEMO=false skips it)');
    const started = Date.now();
    await runDemonstration({
      adminToken,
      // Agent runtimes report activity through a gateway, whose principal may write agent.activity.v1 and nothing else.
      activityGateway: createKafkaClient({ brokers: LOCAL_SECURE_BROKERS, clientId: 'demonstration', security: localBrokerSecurity('activity-gateway') }),
      say: (line) => process.stdout.write(`  ${line}\n`),
    }).then(
      () => process.stdout.write(`  demonstration done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`),
      (error: Error) => process.stdout.write(`  ✖ demonstration stopped: ${error.message} (the stack keeps running; see tmp/logs)\n`),
    );
  }
  step('The stack is up');
  for (const service of stack.services) {
    const base = `http://127.0.0.1:${PORTS[service]}`;
    process.stdout.write(`  ${service.padEnd(20)} API ${base}   OpenAPI ${base}/docs   metrics ${base}/metrics\n`);
  }
  process.stdout.write(
    `\n  SOC console           http://127.0.0.1:${CONSOLE_PORT}   (the demo's incident is in its queue)\n` +
      `  Sign in as ${realm.users.map((u) => `${u.username} (${u.roles.join(' + ') || 'no role'})`).join(', ')};\n` +
      `  their passwords are in ${CONSOLE_USERS_FILE} (realm ${realm.name} at ${realm.issuer}).\n` +
      `\n  An admin token valid for 8 hours was written to tmp/dev-auth/admin.token; mint others with\n` +
      `  npm run -s auth:mint-token -- --sub alice --roles soc-analyst\n` +
      `  Logs: tmp/logs/<service>.log and tmp/logs/console.log.\n` +
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
