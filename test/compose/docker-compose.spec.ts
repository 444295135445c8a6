import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { parse } from 'yaml';

import { BEHAVIOR_BASELINER_ENV } from '../../apps/behavior-baseliner/src/config/behavior-baseliner.env';
import { CONTAINMENT_ENV } from '../../apps/containment/src/config/containment.env';
import { PROVISIONER_ENV } from '../../apps/provisioner/src/config/provisioner.env';
import { REVIEW_SCHEDULER_ENV } from '../../apps/review-scheduler/src/config/review-scheduler.env';
import { checkCompose } from './compose-checker';

const REPO_ROOT = resolve(__dirname, '../..');
const SPECS = {
  provisioner: PROVISIONER_ENV,
  'behavior-baseliner': BEHAVIOR_BASELINER_ENV,
  containment: CONTAINMENT_ENV,
  'review-scheduler': REVIEW_SCHEDULER_ENV,
};

function loadCompose(): any {
  return parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'));
}

describe('docker-compose.yml', () => {
  it('agrees with the apps: folders, declared env vars, ports and health routes', () => {
    const problems = checkCompose({ compose: loadCompose(), specs: SPECS, repoRoot: REPO_ROOT });

    expect(problems).toEqual([]);
  });

  it('runs the infrastructure the services depend on', () => {
    const { services } = loadCompose();

    expect(services.kafka.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(services.kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.kafka.environment.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(1);
    expect(services.postgres.image).toBe('postgres:15');
    expect(services['otel-collector'].volumes).toContain('./deploy/otel-collector/config.yaml:/etc/otelcol-contrib/config.yaml:ro');
    expect(services.jaeger.ports).toContain('16686:16686');
    const collector = parse(readFileSync(join(REPO_ROOT, 'deploy/otel-collector/config.yaml'), 'utf8'));
    expect(collector.exporters['otlp/jaeger'].endpoint).toBe('jaeger:4317');
    expect(collector.service.pipelines.traces.exporters).toEqual(['otlp/jaeger']);
  });

  it('catches each kind of mistake in a deliberately wrong copy', () => {
    const wrong = loadCompose();
    wrong.services.auditor = structuredClone(wrong.services.containment);
    wrong.services.provisioner.environment.HTTP_PROT = 3001;
    wrong.services.provisioner.environment.LOG_LEVEL = 'loud';
    delete wrong.services.provisioner.environment.DATABASE_URL;
    wrong.services['behavior-baseliner'].ports = ['3999:3002'];
    wrong.services.containment.healthcheck.test = ['CMD', 'curl', '-f', 'http://127.0.0.1:3003/healthz'];
    delete wrong.services['review-scheduler'];

    const problems = checkCompose({ compose: wrong, specs: SPECS, repoRoot: REPO_ROOT });

    expect(problems).toEqual(
      expect.arrayContaining([
        'app "review-scheduler" has no service in docker-compose.yml',
        'service "auditor" is built from the Dockerfile but there is no apps/auditor folder',
        'service "provisioner" sets HTTP_PROT, which apps/provisioner does not declare in its env spec',
        'service "provisioner" sets LOG_LEVEL to a value that breaks its rule: must be one of fatal, error, warn, info, debug, trace, silent',
        'service "provisioner" does not set DATABASE_URL, which apps/provisioner requires',
        `service "behavior-baseliner" publishes "3999:3002", but the app's HTTP_PORT default is 3002`,
        'service "containment" healthcheck probes /healthz, which is not a route the runtime serves (/health/live, /health/ready)',
      ]),
    );
    expect(problems).toHaveLength(7);
  });
});
