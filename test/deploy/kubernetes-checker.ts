import { generateKeyPairSync } from 'node:crypto';

import { ENV_CHECKS, EnvSpec, RUNTIME_ROUTES } from '@agentgov/service-runtime';

import { checkServiceContainer, EnvValue, httpPortOf, ServiceContainer } from './service-contract';

/** A rendered Kubernetes object, as `kubectl kustomize` prints it. */
export type K8sObject = Record<string, any>;

export interface KubernetesCheckInput {
  objects: K8sObject[];
  /** Env spec per app folder name. */
  specs: Record<string, EnvSpec>;
  repoRoot: string;
  /** Targets of the root Dockerfile. */
  dockerTargets: readonly string[];
  /** Partitions of every catalog topic (libs/contracts TOPIC_PARTITIONS). */
  partitions: number;
  /** Kafka consumer group members one pod of the app runs, given its resolved settings. */
  consumersPerPod: (app: string, env: Record<string, EnvValue>) => number;
  /** Only a development overlay may define Secrets, each annotated agentgov.dev/development-only: "true". */
  allowDevelopmentSecrets: boolean;
}

const APP_NAME = 'app.kubernetes.io/name';
const PART_OF = 'app.kubernetes.io/part-of';
const COMPONENT = 'app.kubernetes.io/component';
const DEV_ONLY = 'agentgov.dev/development-only';
const AUTH_KEY_SOURCES = ['AUTH_JWKS_URL', 'AUTH_PUBLIC_KEY', 'AUTH_PUBLIC_KEY_FILE'];
/** Seconds the service needs beyond its own SHUTDOWN_TIMEOUT_MS (after preStop) before SIGKILL may come. */
const SHUTDOWN_MARGIN_SECONDS = 5;

const nameOf = (o: K8sObject) => `${o.kind} ${o.metadata?.name}`;
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Every way the rendered overlay disagrees with the apps' code or with how they must run; empty when it is sound. */
export function checkKubernetes(input: KubernetesCheckInput): string[] {
  const problems: string[] = [];
  const { objects } = input;
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const configMaps = new Map(byKind('ConfigMap').map((o) => [o.metadata.name as string, o]));
  const secrets = new Map(byKind('Secret').map((o) => [o.metadata.name as string, o]));
  const secretVariables = new Set(
    Object.values(input.specs).flatMap((spec) =>
      Object.entries(spec)
        .filter(([, v]) => v.isSecret)
        .map(([k]) => k),
    ),
  );

  // Secrets: never a value outside a development overlay, and never a secret in a ConfigMap.
  for (const secret of secrets.values()) {
    if (!input.allowDevelopmentSecrets) problems.push(`${nameOf(secret)} holds values; reference Secrets by name, never define them here`);
    else if (secret.metadata?.annotations?.[DEV_ONLY] !== 'true') problems.push(`${nameOf(secret)} is not annotated ${DEV_ONLY}: "true"`);
  }
  for (const configMap of configMaps.values()) {
    for (const key of Object.keys(configMap.data ?? {})) {
      if (secretVariables.has(key)) problems.push(`${nameOf(configMap)} holds ${key}, a secret: it must come from a Secret`);
    }
  }

  const deployments = byKind('Deployment').filter((d) => d.metadata?.labels?.[COMPONENT] === 'service');
  for (const app of Object.keys(input.specs)) {
    if (!deployments.some((d) => d.metadata.labels[APP_NAME] === app)) problems.push(`app "${app}" has no Deployment`);
  }

  for (const deployment of deployments) {
    const app: string = deployment.metadata.labels[APP_NAME];
    const where = nameOf(deployment);
    const pod = deployment.spec?.template?.spec ?? {};
    const podLabels = deployment.spec?.template?.metadata?.labels;
    const container = (pod.containers ?? [])[0] ?? {};
    const env = resolveEnv(container, configMaps, secrets, where, problems);
    const portsByName = new Map<string, number>((container.ports ?? []).map((p: any) => [p.name, p.containerPort]));
    const portOf = (port: number | string) => (typeof port === 'number' ? port : (portsByName.get(port) ?? Number.NaN));
    const probes = (['startupProbe', 'livenessProbe', 'readinessProbe'] as const)
      .filter((kind) => container[kind])
      .map((kind) => ({ kind, path: container[kind].httpGet?.path ?? '(not HTTP)', port: portOf(container[kind].httpGet?.port) }));
    const described: ServiceContainer = {
      where,
      app,
      env,
      ports: (container.ports ?? []).map((p: any) => ({ container: p.containerPort, raw: `${p.name ?? ''}:${p.containerPort}` })),
      probes,
    };
    const contract = checkServiceContainer(described, input.specs, input.repoRoot);
    problems.push(...contract);
    const spec = input.specs[app];
    if (!spec) continue;
    const httpPort = httpPortOf(described, spec);

    if (container.livenessProbe?.httpGet?.path !== RUNTIME_ROUTES.live) problems.push(`${where} needs a livenessProbe on ${RUNTIME_ROUTES.live}`);
    if (container.readinessProbe?.httpGet?.path !== RUNTIME_ROUTES.ready) problems.push(`${where} needs a readinessProbe on ${RUNTIME_ROUTES.ready}`);

    // Secrets come from Secrets; files from mounted volumes.
    for (const [variable, value] of Object.entries(env)) {
      if (spec[variable]?.isSecret && value.source !== 'secret') problems.push(`${where} sets ${variable}, a secret, from a plain value instead of a Secret`);
      if (variable.endsWith('_FILE') && value.value) {
        const mount = (container.volumeMounts ?? []).find((m: any) => value.value!.startsWith(`${m.mountPath.replace(/\/$/, '')}/`));
        const volume = mount && (pod.volumes ?? []).find((v: any) => v.name === mount.name);
        if (!volume || !(volume.secret || volume.configMap || volume.projected)) {
          problems.push(`${where} sets ${variable}=${value.value}, which no Secret or ConfigMap volume of the container holds`);
        }
      }
    }
    const keySources = AUTH_KEY_SOURCES.filter((name) => env[name] !== undefined && env[name]!.value !== '');
    if (keySources.length !== 1) problems.push(`${where} must set exactly one of ${AUTH_KEY_SOURCES.join(', ')} (sets ${keySources.join(', ') || 'none'})`);
    else if (contract.length === 0) problems.push(...crossVariableProblems(where, spec, env));

    // How it runs: non-root, read-only, no privileges, bounded resources, /tmp writable.
    problems.push(...podSecurityProblems(where, pod));
    const tmp = (container.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
    if (!tmp || !(pod.volumes ?? []).find((v: any) => v.name === tmp.name)?.emptyDir) problems.push(`${where} has no emptyDir at /tmp`);

    // Graceful termination outlasts the service's own shutdown deadline (which bounds its Kafka drain).
    const shutdownMs = Number(env['SHUTDOWN_TIMEOUT_MS']?.value || spec['SHUTDOWN_TIMEOUT_MS']?.defaultValue);
    const preStop = container.lifecycle?.preStop;
    const preStopSeconds = preStop?.sleep?.seconds ?? (preStop?.exec?.command?.[0] === 'sleep' ? Number(preStop.exec.command[1]) : 0);
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    if (grace < preStopSeconds + Math.ceil(shutdownMs / 1000) + SHUTDOWN_MARGIN_SECONDS) {
      problems.push(
        `${where} terminationGracePeriodSeconds ${grace} is not longer than preStop ${preStopSeconds} s + SHUTDOWN_TIMEOUT_MS ${shutdownMs} ms + ${SHUTDOWN_MARGIN_SECONDS} s`,
      );
    }

    // It waits for its migrations, with the same database as the service.
    const wait = (pod.initContainers ?? []).find((c: any) => (c.command ?? []).join(' ').includes('wait-for-migrations.js'));
    if (!wait) problems.push(`${where} has no init container waiting for its migrations`);
    else {
      if (!(wait.command as string[]).includes(app)) problems.push(`${where} waits for the migrations of another service: ${wait.command.join(' ')}`);
      if (
        JSON.stringify(wait.env?.find((e: any) => e.name === 'DATABASE_URL')?.valueFrom) !==
        JSON.stringify(container.env?.find((e: any) => e.name === 'DATABASE_URL')?.valueFrom)
      ) {
        problems.push(`${where} waits for migrations in another database than it uses`);
      }
      if (wait.image !== container.image) problems.push(`${where} init container runs ${wait.image}, not the service's image`);
    }

    // Its image is the app's Dockerfile target.
    problems.push(...imageProblems(where, container.image, app, input.dockerTargets));

    // Prometheus finds /metrics on the HTTP port.
    const annotations = deployment.spec?.template?.metadata?.annotations ?? {};
    if (
      annotations['prometheus.io/scrape'] !== 'true' ||
      annotations['prometheus.io/path'] !== RUNTIME_ROUTES.metrics ||
      Number(annotations['prometheus.io/port']) !== httpPort
    ) {
      problems.push(`${where} needs prometheus.io annotations: scrape "true", path ${RUNTIME_ROUTES.metrics}, port ${httpPort}`);
    }

    // A Service and a PodDisruptionBudget for its pods; ingress only to the HTTP port.
    const service = byKind('Service').find((s) => matches(s.spec?.selector, podLabels));
    if (!service) problems.push(`${where} has no Service`);
    else {
      for (const port of service.spec.ports ?? []) {
        if (portOf(port.targetPort ?? port.port) !== httpPort)
          problems.push(`${nameOf(service)} targets port ${port.targetPort}, but the app listens on ${httpPort}`);
      }
    }
    if (!byKind('PodDisruptionBudget').some((p) => matches(p.spec?.selector?.matchLabels, podLabels))) problems.push(`${where} has no PodDisruptionBudget`);
    const ingressPolicies = byKind('NetworkPolicy').filter((p) => p.spec?.ingress && matches(p.spec?.podSelector?.matchLabels, podLabels));
    if (ingressPolicies.length === 0) problems.push(`${where} has no NetworkPolicy letting its API be reached`);
    for (const policy of ingressPolicies) {
      for (const rule of policy.spec.ingress) {
        const ports = (rule.ports ?? []).map((p: any) => portOf(p.port));
        if (ports.length === 0 || ports.some((p: number) => p !== httpPort)) problems.push(`${nameOf(policy)} lets in more than port ${httpPort}`);
      }
    }

    // Never more consumers than partitions: replicas (or the autoscaler's maximum) x members per pod.
    const hpa = byKind('HorizontalPodAutoscaler').find(
      (h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === deployment.metadata.name,
    );
    const replicas: number = hpa ? hpa.spec.maxReplicas : (deployment.spec?.replicas ?? 1);
    const members = input.consumersPerPod(app, env);
    if (replicas * members > input.partitions) {
      problems.push(`${where} may run ${replicas} pods x ${members} consumers, more than the ${input.partitions} partitions of its topics`);
    }
  }

  for (const job of byKind('Job')) {
    const where = nameOf(job);
    const pod = job.spec?.template?.spec ?? {};
    const container = (pod.containers ?? [])[0] ?? {};
    problems.push(...imageProblems(where, container.image, 'migrate', input.dockerTargets));
    problems.push(...podSecurityProblems(where, pod));
    const env = resolveEnv(container, configMaps, secrets, where, problems);
    if (Object.keys(env).join() !== 'DATABASE_URL' || env['DATABASE_URL']!.source !== 'secret') {
      problems.push(`${where} must set only DATABASE_URL, from a Secret (sets ${Object.keys(env).join(', ') || 'nothing'})`);
    }
  }
  if (byKind('Job').length === 0) problems.push('there is no migration Job');

  problems.push(...networkPolicyProblems(byKind('NetworkPolicy')));
  return problems;
}

function resolveEnv(
  container: any,
  configMaps: Map<string, K8sObject>,
  secrets: Map<string, K8sObject>,
  where: string,
  problems: string[],
): Record<string, EnvValue> {
  const env: Record<string, EnvValue> = {};
  for (const from of container.envFrom ?? []) {
    if (from.secretRef) {
      problems.push(`${where} takes a whole Secret (${from.secretRef.name}) as env; name each secret variable instead`);
      continue;
    }
    const configMap = configMaps.get(from.configMapRef?.name);
    if (!configMap) {
      problems.push(`${where} takes env from ConfigMap ${from.configMapRef?.name}, which the overlay does not define`);
      continue;
    }
    for (const [key, value] of Object.entries(configMap.data ?? {})) env[(from.prefix ?? '') + key] = { value: String(value), source: 'literal' };
  }
  for (const entry of container.env ?? []) {
    const secretRef = entry.valueFrom?.secretKeyRef;
    const configMapRef = entry.valueFrom?.configMapKeyRef;
    if (secretRef) {
      const secret = secrets.get(secretRef.name);
      if (secret && !(secretRef.key in (secret.data ?? {})) && !secretRef.optional) {
        problems.push(`${where} reads ${entry.name} from key ${secretRef.key} of ${nameOf(secret)}, which has no such key`);
      }
      env[entry.name] = { source: 'secret' };
    } else if (configMapRef) {
      env[entry.name] = { value: configMaps.get(configMapRef.name)?.data?.[configMapRef.key], source: 'literal' };
    } else {
      env[entry.name] = { value: entry.value === undefined ? '' : String(entry.value), source: 'literal' };
    }
  }
  return env;
}

/**
 * The spec's cross-variable rules (a key required in production, a webhook secret with its URL...), run on
 * what the deployment sets. Values from Secrets are unknown here, only present; the bearer-key source, which
 * the check above already counted, is swapped for an inline key so that no file of the cluster is read.
 */
function crossVariableProblems(where: string, spec: EnvSpec, env: Record<string, EnvValue>): string[] {
  const raw: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!AUTH_KEY_SOURCES.includes(name) && value.value !== '') raw[name] = value.value ?? 'from-a-secret';
  }
  // Kafka's files are in the cluster, not here: their mounts are checked above; the rules see their presence.
  for (const name of ['KAFKA_TLS_CA_FILE', 'KAFKA_TLS_CERT_FILE', 'KAFKA_TLS_KEY_FILE', 'KAFKA_SASL_PASSWORD_FILE']) delete raw[name];
  raw['AUTH_PUBLIC_KEY'] = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const problems: string[] = [];
  for (const check of spec[ENV_CHECKS] ?? []) {
    try {
      check(raw);
    } catch (error) {
      problems.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}

function podSecurityProblems(where: string, pod: any): string[] {
  const problems: string[] = [];
  if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${where} pod must set runAsNonRoot: true`);
  if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${where} pod must use the RuntimeDefault seccomp profile`);
  if (pod.automountServiceAccountToken !== false) problems.push(`${where} pod must not mount a service account token`);
  for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const at = `${where} container ${container.name}`;
    const security = container.securityContext ?? {};
    if (security.allowPrivilegeEscalation !== false) problems.push(`${at} must set allowPrivilegeEscalation: false`);
    if (security.readOnlyRootFilesystem !== true) problems.push(`${at} must set readOnlyRootFilesystem: true`);
    if (!(security.capabilities?.drop ?? []).includes('ALL')) problems.push(`${at} must drop ALL capabilities`);
    for (const bound of ['requests', 'limits']) {
      for (const resource of ['cpu', 'memory']) {
        if (container.resources?.[bound]?.[resource] === undefined) problems.push(`${at} has no ${resource} ${bound}`);
      }
    }
  }
  return problems;
}

function imageProblems(where: string, image: string | undefined, target: string, dockerTargets: readonly string[]): string[] {
  const name = (image ?? '').replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const problems: string[] = [];
  if (!name.endsWith(`/${target}`)) problems.push(`${where} runs image ${image}, which is not the ${target} image`);
  if (!dockerTargets.includes(target)) problems.push(`${where}: the Dockerfile has no target "${target}"`);
  return problems;
}

/** A default deny for every agentgov pod, and every allowing rule narrowed to named ports and destinations. */
function networkPolicyProblems(policies: K8sObject[]): string[] {
  const problems: string[] = [];
  const denyAll = policies.find(
    (p) =>
      p.spec?.podSelector?.matchLabels?.[PART_OF] === 'agentgov' &&
      Object.keys(p.spec.podSelector.matchLabels).length === 1 &&
      ['Ingress', 'Egress'].every((t) => (p.spec.policyTypes ?? []).includes(t)) &&
      !p.spec.ingress &&
      !p.spec.egress,
  );
  if (!denyAll) problems.push(`no NetworkPolicy denies all traffic of the agentgov pods by default`);
  for (const policy of policies) {
    for (const rule of policy.spec?.egress ?? []) {
      if (!rule.ports?.length) problems.push(`${nameOf(policy)} allows egress on every port`);
      if (!rule.to?.length) problems.push(`${nameOf(policy)} allows egress to every destination`);
    }
  }
  return problems;
}
