import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { filesUnder, K8S_DIR, REPO_ROOT } from './deploy-fixtures';
import { exportedMetricNames, metricsIn, PROMETHEUS_OWN_METRICS } from './metric-names';
import { alertRules } from './shipped-queries';
import { lintYaml } from './yaml-lint';

const DEPLOY_YAML = filesUnder(join(REPO_ROOT, 'deploy'), (file) => /\.ya?ml$/.test(file));
const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

describe('YAML of the deployment', () => {
  it.each([...DEPLOY_YAML, 'docker-compose.yml'])('%s lints clean', (file) => {
    expect(lintYaml(file, read(file))).toEqual([]);
  });

  it('catches duplicate keys, tabs, trailing spaces, bad indentation and a missing final newline', () => {
    const wrong = 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n\tname: x \ndata:\n  a: 1\n   b: 2';

    expect(lintYaml('wrong.yaml', wrong)).toEqual([
      expect.stringMatching(/^wrong\.yaml: DUPLICATE_KEY at line 3: /),
      expect.stringMatching(/^wrong\.yaml: TAB_AS_INDENT at line 5: /),
      'wrong.yaml: BLOCK_AS_IMPLICIT_KEY at line 7: Nested mappings are not allowed in compact mappings',
      'wrong.yaml: MULTILINE_IMPLICIT_KEY at line 7: Implicit keys need to be on a single line',
      'wrong.yaml: trailing whitespace at line 5',
      'wrong.yaml: tab indentation at line 5',
      'wrong.yaml: no newline at the end',
    ]);
  });
});

describe('alerts (components/prometheus-operator/alerts.yaml)', () => {
  const rules = alertRules();

  it('read only metrics the services export, and each is explained in deploy/README.md', () => {
    const known = new Set([...exportedMetricNames(), ...PROMETHEUS_OWN_METRICS]);
    const guide = read('deploy/README.md');

    for (const rule of rules) {
      expect({ alert: rule.alert, unknown: metricsIn(rule.expr).filter((name) => !known.has(name)) }).toEqual({ alert: rule.alert, unknown: [] });
      expect(guide).toContain(rule.alert);
    }
    expect(rules.length).toBeGreaterThanOrEqual(6);
  });

  it('would catch a metric the code does not export', () => {
    const known = exportedMetricNames();

    expect(known).toContain('messages_dead_lettered_total');
    expect(known).toContain('containment_action_settled_seconds_bucket');
    expect(metricsIn('sum by (topic) (rate(messages_deadlettered_total{topic="x"}[5m])) > 0').filter((n) => !known.has(n))).toEqual([
      'messages_deadlettered_total',
    ]);
  });
});

describe('kustomize inputs', () => {
  it('every overlay and component is a kustomization the tests render or include', () => {
    const overlays = readdirSync(join(K8S_DIR, 'overlays'));
    const components = readdirSync(join(K8S_DIR, 'components'));
    const included = overlays.flatMap((o) => parse(read(`deploy/k8s/overlays/${o}/kustomization.yaml`)).components ?? []);

    expect(overlays.sort()).toEqual(['local', 'production']);
    for (const component of components) expect(included).toContain(`../../components/${component}`);
  });
});
