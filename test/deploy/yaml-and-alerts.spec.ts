import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { filesUnder, K8S_DIR, REPO_ROOT } from './deploy-fixtures';
import { lintYaml } from './yaml-lint';

const DEPLOY_YAML = filesUnder(join(REPO_ROOT, 'deploy'), (file) => /\.ya?ml$/.test(file));
const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

/** Metric names the code registers (OpenTelemetry instruments), as the Prometheus exporter writes them. */
function exportedMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const root of ['apps', 'libs']) {
    for (const file of filesUnder(join(REPO_ROOT, root), (f) => f.endsWith('.ts') && !/\.(spec|integration-spec)\.ts$/.test(f) && !f.includes('/test/'))) {
      for (const match of read(file).matchAll(
        /create(Counter|UpDownCounter|Histogram|Gauge|ObservableGauge|ObservableCounter|ObservableUpDownCounter)\(\s*'([^']+)'/g,
      )) {
        const name = match[2]!.replace(/[^A-Za-z0-9_:]/g, '_');
        const kind = match[1]!;
        if (kind === 'Histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
        else names.add(/Counter$/.test(kind) && !name.endsWith('_total') ? `${name}_total` : name);
      }
    }
  }
  return names;
}

/** Metric names a PromQL expression reads: identifiers followed by a selector, a range or an operator. */
function metricsIn(expr: string): string[] {
  const withoutStrings = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]');
  const functionsAndKeywords = new Set([
    'sum',
    'max',
    'min',
    'avg',
    'by',
    'without',
    'rate',
    'increase',
    'histogram_quantile',
    'and',
    'or',
    'unless',
    'on',
    'ignoring',
  ]);
  return [...withoutStrings.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
    .map((m) => m[1]!)
    .filter((word) => !functionsAndKeywords.has(word) && !/^le$/.test(word));
}

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
  const rules = parse(read('deploy/k8s/components/prometheus-operator/alerts.yaml')).spec.groups.flatMap((g: any) => g.rules) as {
    alert: string;
    expr: string;
  }[];

  it('read only metrics the services export, and each is explained in deploy/README.md', () => {
    const known = new Set([...exportedMetricNames(), 'up']);
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
