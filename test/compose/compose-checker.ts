import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { EnvSpec, RUNTIME_ROUTES } from '@agentgov/service-runtime';

/** Services built from the root Dockerfile that are jobs, not apps. */
export const COMPOSE_JOBS = ['migrate'];

/** Routes a compose healthcheck may probe; /health/ready is the one that means "can take traffic". */
export const PROBE_ROUTES: readonly string[] = [RUNTIME_ROUTES.live, RUNTIME_ROUTES.ready];

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
    const spec = specs[name];
    if (!spec) {
      problems.push(`${where}: no env spec is known for apps/${name}`);
      continue;
    }
    if (service.build.target !== name) {
      problems.push(`${where} builds Dockerfile target "${service.build.target}", expected "${name}"`);
    }

    const environment = environmentOf(service);
    for (const [variable, value] of Object.entries(environment)) {
      const declared = spec[variable];
      if (!declared) {
        problems.push(`${where} sets ${variable}, which apps/${name} does not declare in its env spec`);
        continue;
      }
      // `${NAME:?...}` comes from the operator's environment at `docker compose up`: only its name is ours to check.
      if (/\$\{[A-Za-z_][A-Za-z0-9_]*(:?[?-][^}]*)?\}/.test(String(value))) continue;
      try {
        declared.parse(value);
      } catch {
        problems.push(`${where} sets ${variable} to a value that breaks its rule: ${declared.rule}`);
      }
    }
    for (const [variable, declared] of Object.entries(spec)) {
      if (declared.required && !(variable in environment)) {
        problems.push(`${where} does not set ${variable}, which apps/${name} requires`);
      }
    }

    const port = spec['HTTP_PORT']?.defaultValue;
    if (environment['HTTP_PORT'] !== undefined && Number(environment['HTTP_PORT']) !== port) {
      problems.push(`${where} sets HTTP_PORT=${environment['HTTP_PORT']}, but the app's default is ${port}`);
    }
    const ports = publishedPorts(service);
    if (ports.length === 0) problems.push(`${where} publishes no port`);
    for (const published of ports) {
      if (published.container !== port || (published.host !== undefined && published.host !== port)) {
        problems.push(`${where} publishes "${published.raw}", but the app's HTTP_PORT default is ${port}`);
      }
    }

    const urls = healthcheckUrls(service);
    if (urls.length === 0) problems.push(`${where} has no HTTP healthcheck`);
    for (const url of urls) {
      if (!PROBE_ROUTES.includes(url.pathname)) {
        problems.push(`${where} healthcheck probes ${url.pathname}, which is not a route the runtime serves (${PROBE_ROUTES.join(', ')})`);
      }
      if (Number(url.port) !== port) {
        problems.push(`${where} healthcheck probes port ${url.port}, but the app listens on ${port}`);
      }
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
