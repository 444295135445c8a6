import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { dashboardProblems, shippedDashboardProblems } from './dashboard-checker';
import { K8S_DIR, REPO_ROOT } from './deploy-fixtures';
import type { K8sObject } from './kubernetes-checker';
import { exportedMetricNames, labelsIn, metricsIn, PROMETHEUS_OWN_METRICS } from './metric-names';
import { renderOverlay } from './render-overlay';
import { Dashboard, dashboardQueries, dashboards } from './shipped-queries';

const DASHBOARDS = dashboards();
const KNOWN_METRICS = new Set([...exportedMetricNames(), ...PROMETHEUS_OWN_METRICS]);
const byFile = (file: string): Dashboard => JSON.parse(JSON.stringify(DASHBOARDS.find((d) => d.file === file)));
const panel = (dashboard: Dashboard, title: string) => dashboard.json.panels.find((p: any) => p.title === title);

describe('Grafana dashboards (deploy/grafana)', () => {
  it('are the four dashboards, each under the uid links and bookmarks use', () => {
    expect(DASHBOARDS.map((d) => [d.file, d.json.uid])).toEqual([
      ['behavior-baseliner.json', 'agentgov-behavior-baseliner'],
      ['kafka.json', 'agentgov-kafka'],
      ['offboarding-containment.json', 'agentgov-offboarding-containment'],
      ['overview.json', 'agentgov-overview'],
    ]);
  });

  it.each(DASHBOARDS.map((d) => [d.file, d]))('%s is sound and reads only metrics the services export', (_file, dashboard) => {
    expect(dashboardProblems(dashboard, KNOWN_METRICS)).toEqual([]);
    expect(dashboardQueries(dashboard).length).toBeGreaterThan(5);
  });

  it('each is explained in deploy/README.md', () => {
    const guide = readFileSync(join(REPO_ROOT, 'deploy/README.md'), 'utf8');

    for (const { file, json } of DASHBOARDS) {
      expect(guide).toContain(json.title);
      expect(guide).toContain(`grafana/${file}`);
    }
  });

  it('cover what the operators asked for: lag, cascade and containment latency, connector outcomes, dead letters, baseliner throughput', () => {
    const read = new Set(DASHBOARDS.flatMap((d) => dashboardQueries(d)).flatMap((q) => metricsIn(q.expr)));

    expect([...read].sort()).toEqual(
      expect.arrayContaining([
        'consumer_lag_messages',
        'message_handling_duration_seconds_bucket',
        'containment_action_settled_seconds_bucket',
        'containment_connector_attempts_total',
        'messages_dead_lettered_total',
        'outbox_events_published_total',
        'outbox_relay_errors_total',
        'baseliner_events_scored_total',
        'nodejs_eventloop_delay',
        'http_server_request_duration_count',
        'identity_signals_unmatched_total',
      ]),
    );
  });
});

describe('the dashboard checks', () => {
  it('read PromQL as the panels write it: functions, grouping, label matchers, ranges, variables and keywords are not metrics', () => {
    expect(
      metricsIn(
        'histogram_quantile(0.99, sum by (le, topic) (rate(message_handling_duration_seconds_bucket{namespace="$namespace", topic=~"a.b|c"}[$__rate_interval])))',
      ),
    ).toEqual(['message_handling_duration_seconds_bucket']);
    expect(metricsIn('sum by (service) (rate(a_total{x="y"}[5m])) / on (service) group_left sum(rate(b_total[5m] offset 1h)) > bool 0.05')).toEqual([
      'a_total',
      'b_total',
    ]);
    expect(metricsIn('topk(10, max by (group, topic, partition) (consumer_lag_messages{service=~"${service}"})) or vector(0)')).toEqual([
      'consumer_lag_messages',
    ]);
    expect(labelsIn('sum by (connector, outcome) (increase(x_total{namespace="$namespace", outcome=~"retry|failed"}[$__range]))')).toEqual([
      'namespace',
      'outcome',
      'connector',
    ]);
    expect(
      dashboardQueries({ file: 'd.json', json: { templating: { list: [{ name: 'v', type: 'query', query: { query: 'label_values(up{a="b"}, pod)' } }] } } }),
    ).toEqual([{ where: 'd.json variable v', expr: 'up{a="b"}' }]);
  });

  it('catch each mistake in a deliberately wrong copy', () => {
    const wrong = byFile('offboarding-containment.json');
    wrong.json.schemaVersion = 27;
    wrong.json.uid = 'agentgov offboarding';
    wrong.json.templating.list = wrong.json.templating.list.filter((v: any) => v.name !== 'datasource');
    const connectors = panel(wrong, 'Connector calls per minute by connector and outcome');
    connectors.targets[0].expr = connectors.targets[0].expr.replace('containment_connector_attempts_total', 'containment_connector_attempt_total');
    connectors.datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' };
    const settled = panel(wrong, 'Action to last connector receipt');
    settled.targets[1].expr = 'histogram_quantile(0.5, sum by (le) (rate(containment_action_settled_seconds_sum{namespace="$namespace"}[5m])))';
    settled.targets[2].expr = 'histogram_quantile(0.95, sum(rate(containment_action_settled_seconds_bucket{namespace="$namespace"}[5m])))';
    const waiting = panel(wrong, 'Anomalies waiting');
    waiting.targets[0].expr = 'max(consumer_lag_messages{service=~"$service"})';
    waiting.gridPos.x = 20;
    waiting.id = connectors.id;
    delete waiting.description;

    expect(dashboardProblems(wrong, KNOWN_METRICS)).toEqual([
      'offboarding-containment.json: uid "agentgov offboarding" is not a stable id of 1 to 40 letters, digits, - or _',
      'offboarding-containment.json: schemaVersion 27 is older than 39',
      'offboarding-containment.json: no variable "datasource" of type datasource for prometheus',
      'offboarding-containment.json panel "Anomalies waiting" lies outside the 24-column grid',
      'offboarding-containment.json panel "Anomalies waiting" has no description (what it answers)',
      `offboarding-containment.json: panel id ${connectors.id} is used twice`,
      'offboarding-containment.json panel "Connector calls per minute by connector and outcome": data source is not ${datasource}',
      'offboarding-containment.json panel "Action to last connector receipt" B: histogram_quantile must read _bucket series kept apart by le, not containment_action_settled_seconds_sum',
      'offboarding-containment.json panel "Action to last connector receipt" C: histogram_quantile must read _bucket series kept apart by le, not containment_action_settled_seconds_bucket',
      'offboarding-containment.json panel "Anomalies waiting" A: consumer_lag_messages is read without namespace="$namespace"',
      'offboarding-containment.json panel "Anomalies waiting" A uses $service, which is not a variable of the dashboard',
      'offboarding-containment.json panel "Connector calls per minute by connector and outcome" A reads containment_connector_attempt_total, which no service exports',
    ]);
  });
});

describe('the grafana-dashboards component', () => {
  let production: K8sObject[];

  beforeAll(() => {
    production = renderOverlay(join(K8S_DIR, 'overlays/production'));
  }, 300_000);

  it('ships every dashboard in the production overlay as a ConfigMap Grafana’s dashboard sidecar loads', () => {
    expect(shippedDashboardProblems(production, DASHBOARDS)).toEqual([]);
    const shipped = production.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
    expect(shipped.map((o) => [o.metadata.name, o.metadata.namespace]).sort()).toEqual(
      DASHBOARDS.map((d) => [`agentgov-dashboard-${d.file.replace('.json', '')}`, 'agentgov']),
    );
  });

  it('goes into every overlay that has the ServiceMonitor whose labels the panels read, and only there', () => {
    for (const overlay of readdirSync(join(K8S_DIR, 'overlays'))) {
      const components: string[] = parse(readFileSync(join(K8S_DIR, 'overlays', overlay, 'kustomization.yaml'), 'utf8')).components ?? [];
      expect({ overlay, dashboards: components.includes('../../components/grafana-dashboards') }).toEqual({
        overlay,
        dashboards: components.includes('../../components/prometheus-operator'),
      });
    }
  });

  it('would notice a dashboard missing, unlabelled, stale, renamed with a hash or too big to apply', () => {
    const wrong = structuredClone(production);
    const configMap = (file: string) => wrong.find((o) => o.kind === 'ConfigMap' && o.data?.[file])!;
    wrong.splice(wrong.indexOf(configMap('kafka.json')), 1);
    delete configMap('overview.json').metadata.labels.grafana_dashboard;
    const baseliner = configMap('behavior-baseliner.json');
    baseliner.data['behavior-baseliner.json'] = baseliner.data['behavior-baseliner.json'].replace('"schemaVersion": 39', '"schemaVersion": 38');
    configMap('offboarding-containment.json').metadata.name = 'agentgov-dashboard-offboarding-containment-7h2k9c5b4d';
    configMap('offboarding-containment.json').data['padding.txt'] = 'x'.repeat(300_000);
    wrong.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stray', labels: { grafana_dashboard: '1' } }, data: { 'stray.json': '{}' } });

    expect(shippedDashboardProblems(wrong, DASHBOARDS)).toEqual([
      "ConfigMap agentgov-dashboard-behavior-baseliner holds another behavior-baseliner.json than deploy/grafana's",
      'kafka.json is in 0 ConfigMaps, not one',
      'ConfigMap agentgov-dashboard-offboarding-containment-7h2k9c5b4d holding offboarding-containment.json is not named agentgov-dashboard-offboarding-containment',
      expect.stringMatching(/^ConfigMap agentgov-dashboard-offboarding-containment-7h2k9c5b4d is \d+ bytes, more than kubectl apply can keep \(258048\)$/),
      'ConfigMap agentgov-dashboard-overview holding overview.json lacks the label grafana_dashboard: "1"',
      'ConfigMap agentgov-dashboard-offboarding-containment-7h2k9c5b4d carries the sidecar label but holds offboarding-containment.json, padding.txt, not a dashboard of deploy/grafana',
      'ConfigMap stray carries the sidecar label but holds stray.json, not a dashboard of deploy/grafana',
    ]);
  });
});
