import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { EnvSpec } from '@agentgov/service-runtime';

import { checkServiceContainer } from '../deploy/service-contract';

/** Services built from the root Dockerfile that are jobs, not apps. */
export const COMPOSE_JOBS = ['migrate'];

const OPERATOR_VALUE = /\$\{[A-Za-z_][A-Za-z0-9_]*(:?[?-][^}]*)?\}/;

export interface ComposeCheckInput {
  compose: any;
  /** Env spec per app folder name, e.g. { provisioner: PROVISIONER_ENV }. */
  specs: Record<string, EnvSpec>;
  repoRoot: string;
}

function environmentOf(service: any): Record<string, string> {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry: string) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, value == null ? '' : String(value)]));
}

function publishedPorts(service: any): { host?: number; container: number; raw: string }[] {
  return (service.ports ?? []).map((entry: any) => {
    if (typeof entry === 'object') return { host: Number(entry.published), container: Number(entry.target), raw: JSON.stringify(entry) };
    const parts = String(entry).split('/')[0]!.split(':');
    const container = Number(parts[parts.length - 1]);
    const host = parts.length > 1 ? Number(parts[parts.length - 2]) : undefined;
    return { host, container, raw: String(entry) };
  });
}

function healthcheckUrls(service: any): URL[] {
  const test = service.healthcheck?.test;
  const text = Array.isArray(test) ? test.join(' ') : String(test ?? '');
  return [...text.matchAll(/https?:\/\/[^\s'"`)]+/g)].map((match) => new URL(match[0]));
}

/** Every way the compose file disagrees with the apps; empty when it is consistent. */
export function checkCompose({ compose, specs, repoRoot }: ComposeCheckInput): string[] {
  const problems: string[] = [];
  const services: Record<string, any> = compose?.services ?? {};
  const appServices = Object.entries(services).filter(([name, service]) => service.build && !COMPOSE_JOBS.includes(name));

  for (const folder of Object.keys(specs)) {
    if (!services[folder]) problems.push(`app "${folder}" has no service in docker-compose.yml`);
  }

  for (const [name, service] of appServices) {
    const where = `service "${name}"`;
    if (!existsSync(join(repoRoot, 'apps', name))) {
      problems.push(`${where} is built from the Dockerfile but there is no apps/${name} folder`);
      continue;
    }
    const environment = environmentOf(service);
    const problemsOfContainer = checkServiceContainer(
      {
        where,
        app: name,
        // `${NAME:?...}` comes from the operator's environment at `docker compose up`: only its name is ours to check.
        env: Object.fromEntries(
          Object.entries(environment).map(([variable, value]) =>
            OPERATOR_VALUE.test(value) ? [variable, { source: 'operator' }] : [variable, { value, source: 'literal' }],
          ),
        ),
        ports: publishedPorts(service),
        probes: healthcheckUrls(service).map((url) => ({ kind: 'healthcheck', path: url.pathname, port: Number(url.port) })),
      },
      specs,
      repoRoot,
    );
    problems.push(...problemsOfContainer);
    if (!specs[name]) continue;
    if (service.build.target !== name) {
      problems.push(`${where} builds Dockerfile target "${service.build.target}", expected "${name}"`);
    }

    for (const dependency of ['kafka', 'postgres']) {
      if (service.depends_on?.[dependency]?.condition !== 'service_healthy') {
        problems.push(`${where} must depend on ${dependency} with condition service_healthy`);
      }
    }
    if (service.depends_on?.migrate?.condition !== 'service_completed_successfully') {
      problems.push(`${where} must depend on migrate with condition service_completed_successfully`);
    }
  }
  return problems;
}
