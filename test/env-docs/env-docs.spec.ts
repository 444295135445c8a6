import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { EnvSpec } from '@agentgov/service-runtime';

import { BEHAVIOR_BASELINER_ENV } from '../../apps/behavior-baseliner/src/config/behavior-baseliner.env';
import { CONSOLE_ENV } from '../../apps/console/src/config/console.env';
import { CONTAINMENT_ENV } from '../../apps/containment/src/config/containment.env';
import { PROVISIONER_ENV } from '../../apps/provisioner/src/config/provisioner.env';
import { REVIEW_SCHEDULER_ENV } from '../../apps/review-scheduler/src/config/review-scheduler.env';

const REPO_ROOT = resolve(__dirname, '../..');
const SPECS: Record<string, EnvSpec> = {
  provisioner: PROVISIONER_ENV,
  'behavior-baseliner': BEHAVIOR_BASELINER_ENV,
  containment: CONTAINMENT_ENV,
  'review-scheduler': REVIEW_SCHEDULER_ENV,
  console: CONSOLE_ENV,
};

function envExample(): Map<string, string> {
  const lines = readFileSync(join(REPO_ROOT, '.env.example'), 'utf8').split('\n');
  return new Map(
    lines
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]),
  );
}

describe('environment documentation', () => {
  it.each(Object.entries(SPECS))('.env.example and apps/%s/README.md document every variable it reads', (app, spec) => {
    const example = envExample();
    const readme = readFileSync(join(REPO_ROOT, 'apps', app, 'README.md'), 'utf8');

    const missing = Object.keys(spec).filter((name) => !example.has(name) || !readme.includes(`\`${name}\``));

    expect(missing).toEqual([]);
  });

  it('.env.example sets only declared variables, and no password', () => {
    const declared = new Set(Object.values(SPECS).flatMap((spec) => Object.keys(spec)));
    const example = envExample();

    expect([...example.keys()].filter((name) => !declared.has(name))).toEqual([]);
    expect(example.get('DATABASE_URL')).not.toMatch(/:\/\/[^@/]*:[^@/]*@/);
  });
});
