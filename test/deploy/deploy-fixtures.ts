import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

import { TOPIC_PARTITIONS } from '@agentgov/contracts';

import { BEHAVIOR_BASELINER_ENV } from '../../apps/behavior-baseliner/src/config/behavior-baseliner.env';
import { CONTAINMENT_ENV } from '../../apps/containment/src/config/containment.env';
import { PROVISIONER_ENV } from '../../apps/provisioner/src/config/provisioner.env';
import { REVIEW_SCHEDULER_ENV } from '../../apps/review-scheduler/src/config/review-scheduler.env';
import { dockerTargets } from './dockerfile-checker';
import { KubernetesCheckInput } from './kubernetes-checker';
import { EnvValue } from './service-contract';

export const REPO_ROOT = resolve(__dirname, '../..');
export const K8S_DIR = join(REPO_ROOT, 'deploy/k8s');

export const SPECS = {
  provisioner: PROVISIONER_ENV,
  'behavior-baseliner': BEHAVIOR_BASELINER_ENV,
  containment: CONTAINMENT_ENV,
  'review-scheduler': REVIEW_SCHEDULER_ENV,
};

/**
 * Kafka consumer group members in one pod: one consumer per service (ConsumerRunner), and for the baseliner
 * one more per scoring thread in its scoring group (apps/behavior-baseliner/src/scoring/scoring-threads.ts).
 */
export function consumersPerPod(app: string, env: Record<string, EnvValue>): number {
  if (app !== 'behavior-baseliner') return 1;
  return Number(env['SCORING_THREADS']?.value || BEHAVIOR_BASELINER_ENV.SCORING_THREADS.defaultValue);
}

export function checkInput(objects: KubernetesCheckInput['objects'], allowDevelopmentSecrets: boolean): KubernetesCheckInput {
  return {
    objects,
    specs: SPECS,
    repoRoot: REPO_ROOT,
    dockerTargets: dockerTargets(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')),
    partitions: TOPIC_PARTITIONS,
    consumersPerPod,
    allowDevelopmentSecrets,
  };
}

/** Files under a folder, relative to the repository, recursively. */
export function filesUnder(directory: string, accept: (file: string) => boolean): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(REPO_ROOT, join(entry.parentPath, entry.name)))
    .filter(accept)
    .sort();
}
