import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { parse } from 'yaml';

import { filesUnder, REPO_ROOT } from './deploy-fixtures';

export const DASHBOARDS_DIR = 'deploy/grafana';
export const ALERTS_FILE = 'deploy/k8s/components/prometheus-operator/alerts.yaml';

/** One PromQL query the deployment ships, and where: `alert X`, `overview.json panel "Y" A`, `kafka.json variable namespace`. */
export interface ShippedQuery {
  where: string;
  expr: string;
}

export interface Dashboard {
  file: string;
  json: any;
}

export function alertRules(): { alert: string; expr: string }[] {
  return parse(readFileSync(join(REPO_ROOT, ALERTS_FILE), 'utf8')).spec.groups.flatMap((g: any) => g.rules);
}

export function alertQueries(): ShippedQuery[] {
  return alertRules().map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }));
}

/** Every dashboard file; JSON.parse throws, naming the file, on one that is not JSON. */
export function dashboards(): Dashboard[] {
  return filesUnder(join(REPO_ROOT, DASHBOARDS_DIR), (f) => f.endsWith('.json')).map((file) => {
    try {
      return { file: basename(file), json: JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8')) };
    } catch (error) {
      throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
    }
  });
}

/** A dashboard's panels, the ones inside collapsed rows included. */
export function panelsOf(dashboard: Dashboard): any[] {
  return (dashboard.json.panels ?? []).flatMap((panel: any) => [panel, ...(panel.panels ?? [])]);
}

/**
 * Every query of a dashboard: each panel target's expression, and each query variable's. A variable's
 * `label_values(selector, label)` reads the selector's metric; its last argument is a label, not a metric.
 */
export function dashboardQueries(dashboard: Dashboard): ShippedQuery[] {
  const targets = panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((t: any) => ({ where: `${dashboard.file} panel "${panel.title}" ${t.refId}`, expr: String(t.expr ?? '') })),
  );
  const variables = (dashboard.json.templating?.list ?? [])
    .filter((v: any) => v.type === 'query')
    .map((v: any) => {
      const query = String(typeof v.query === 'string' ? v.query : (v.query?.query ?? ''));
      const labelValues = /^label_values\((.*),\s*[a-zA-Z_]\w*\s*\)$/.exec(query);
      return { where: `${dashboard.file} variable ${v.name}`, expr: labelValues ? labelValues[1]! : query };
    });
  return [...targets, ...variables];
}

/** Every query of every dashboard and alert rule. */
export function shippedQueries(): ShippedQuery[] {
  return [...alertQueries(), ...dashboards().flatMap(dashboardQueries)];
}
