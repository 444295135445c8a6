import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { EnvSpec, RUNTIME_ROUTES } from '@agentgov/service-runtime';

/**
 * What a deployment (docker-compose.yml, a Kubernetes overlay) says about one app's container, reduced to what
 * the app's code decides: the variables it reads, the port it listens on, the routes its probes may call.
 * Both the compose and the Kubernetes checks describe their containers this way and share the checks below.
 */
export interface ServiceContainer {
  /** How problems name it, e.g. `service "provisioner"` or `Deployment agentgov-provisioner`. */
  where: string;
  /** apps/<app> folder name. */
  app: string;
  /** Every variable the deployment sets, with its value when it is a literal (undefined when it comes from a Secret or the operator). */
  env: Record<string, EnvValue>;
  /** Ports the container exposes or publishes; `raw` is how the deployment writes it. */
  ports: { container: number; host?: number; raw: string }[];
  /** Health checks: path and port they call. */
  probes: { kind: string; path: string; port: number }[];
}

export interface EnvValue {
  /** The literal value; undefined when only the deployment's operator or a Secret knows it. */
  value?: string;
  source: 'literal' | 'secret' | 'operator';
}

/** Routes a health check may probe; /health/ready is the one that means "can take traffic". */
export const PROBE_ROUTES: readonly string[] = [RUNTIME_ROUTES.live, RUNTIME_ROUTES.ready];

/** Every way the container disagrees with its app's code; empty when it is consistent. */
export function checkServiceContainer(container: ServiceContainer, specs: Record<string, EnvSpec>, repoRoot: string): string[] {
  const { where, app } = container;
  const problems: string[] = [];
  if (!existsSync(join(repoRoot, 'apps', app))) return [`${where} runs "${app}", but there is no apps/${app} folder`];
  const spec = specs[app];
  if (!spec) return [`${where}: no env spec is known for apps/${app}`];

  for (const [variable, { value }] of Object.entries(container.env)) {
    const declared = spec[variable];
    if (!declared) {
      problems.push(`${where} sets ${variable}, which apps/${app} does not declare in its env spec`);
      continue;
    }
    // As loadEnv: an empty value means "unset" and takes the default.
    if (value === undefined || value === '') continue;
    try {
      declared.parse(value);
    } catch {
      problems.push(`${where} sets ${variable} to a value that breaks its rule: ${declared.rule}`);
    }
  }
  for (const [variable, declared] of Object.entries(spec)) {
    if (declared.required && !(variable in container.env)) {
      problems.push(`${where} does not set ${variable}, which apps/${app} requires`);
    }
  }

  const port = httpPortOf(container, spec);
  if (container.env['HTTP_PORT']?.value && Number(container.env['HTTP_PORT'].value) !== spec['HTTP_PORT']?.defaultValue) {
    problems.push(`${where} sets HTTP_PORT=${container.env['HTTP_PORT'].value}, but the app's default is ${spec['HTTP_PORT']?.defaultValue}`);
  }
  if (container.ports.length === 0) problems.push(`${where} exposes no port`);
  for (const published of container.ports) {
    if (published.container !== port || (published.host !== undefined && published.host !== port)) {
      problems.push(`${where} publishes "${published.raw}", but the app's HTTP_PORT default is ${port}`);
    }
  }

  if (container.probes.length === 0) problems.push(`${where} has no HTTP health check`);
  for (const probe of container.probes) {
    if (!PROBE_ROUTES.includes(probe.path)) {
      problems.push(`${where} ${probe.kind} probes ${probe.path}, which is not a route the runtime serves (${PROBE_ROUTES.join(', ')})`);
    }
    if (probe.port !== port) problems.push(`${where} ${probe.kind} probes port ${probe.port}, but the app listens on ${port}`);
  }
  return problems;
}

/** The port the app listens on: HTTP_PORT as the deployment sets it, else the app's default. */
export function httpPortOf(container: Pick<ServiceContainer, 'env'>, spec: EnvSpec): number {
  const set = container.env['HTTP_PORT']?.value;
  return set ? Number(set) : (spec['HTTP_PORT']?.defaultValue as number);
}
