import type { K8sObject } from './kubernetes-checker';
import { labelsIn, metricsIn } from './metric-names';
import { Dashboard, dashboardQueries, panelsOf } from './shipped-queries';

/** Grafana 10.4 / 11 write schemaVersion 39; older dashboards are migrated on load and may change under the operator. */
export const MIN_SCHEMA_VERSION = 39;
/** The data source every panel and query variable must use: the dashboard's own variable, never a fixed uid. */
const usesDatasourceVariable = (datasource: any) => datasource?.type === 'prometheus' && datasource?.uid === '${datasource}';
/** The label kube-prometheus-stack's Grafana dashboard sidecar selects ConfigMaps by. */
export const SIDECAR_LABEL = { name: 'grafana_dashboard', value: '1' };
/**
 * `kubectl apply` (client side) keeps the whole object in its last-applied-configuration annotation, and the
 * annotations of an object may hold 256 KiB: a bigger dashboard ConfigMap applies once and then fails.
 */
export const MAX_CONFIGMAP_BYTES = 256 * 1024 - 4 * 1024;

const NAMESPACE_MATCHER = 'namespace="$namespace"';

/** Every way a dashboard is broken or could show something else than the services' own metrics; empty when sound. */
export function dashboardProblems(dashboard: Dashboard, knownMetrics: ReadonlySet<string>): string[] {
  const { file, json } = dashboard;
  const problems: string[] = [];
  if (typeof json.uid !== 'string' || !/^[a-zA-Z0-9_-]{1,40}$/.test(json.uid))
    problems.push(`${file}: uid ${JSON.stringify(json.uid)} is not a stable id of 1 to 40 letters, digits, - or _`);
  if (typeof json.title !== 'string' || !json.title.startsWith('agentgov / '))
    problems.push(`${file}: title ${JSON.stringify(json.title)} does not start with "agentgov / "`);
  if (!(json.schemaVersion >= MIN_SCHEMA_VERSION)) problems.push(`${file}: schemaVersion ${json.schemaVersion} is older than ${MIN_SCHEMA_VERSION}`);

  const variables: any[] = json.templating?.list ?? [];
  const variableNames = new Set(variables.map((v) => v.name));
  if (!variables.some((v) => v.name === 'datasource' && v.type === 'datasource' && v.query === 'prometheus')) {
    problems.push(`${file}: no variable "datasource" of type datasource for prometheus`);
  }
  if (!variables.some((v) => v.name === 'namespace' && v.type === 'query')) problems.push(`${file}: no query variable "namespace"`);
  for (const variable of variables.filter((v) => v.type === 'query')) {
    if (!usesDatasourceVariable(variable.datasource)) problems.push(`${file} variable ${variable.name}: data source is not \${datasource}`);
  }

  const ids = new Set<number>();
  for (const panel of panelsOf(dashboard)) {
    const where = `${file} panel "${panel.title}"`;
    if (ids.has(panel.id)) problems.push(`${file}: panel id ${panel.id} is used twice`);
    ids.add(panel.id);
    const { x, y, w, h } = panel.gridPos ?? {};
    if (![x, y, w, h].every(Number.isInteger) || x < 0 || y < 0 || w < 1 || h < 1 || x + w > 24) problems.push(`${where} lies outside the 24-column grid`);
    if (panel.type === 'row') continue;
    if (!panel.description) problems.push(`${where} has no description (what it answers)`);
    if (!usesDatasourceVariable(panel.datasource)) problems.push(`${where}: data source is not \${datasource}`);
    if (!(panel.targets ?? []).some((t: any) => t.expr)) problems.push(`${where} has no query`);
    for (const target of panel.targets ?? []) {
      if (!usesDatasourceVariable(target.datasource)) problems.push(`${where} ${target.refId}: data source is not \${datasource}`);
    }
  }

  for (const { where, expr } of dashboardQueries(dashboard)) {
    for (const name of metricsIn(expr)) {
      if (!knownMetrics.has(name)) problems.push(`${where} reads ${name}, which no service exports`);
      // The namespace variable lists the namespaces themselves; everything else shows one namespace's services.
      if (!where.endsWith('variable namespace') && selectorsOf(expr, name).some((selector) => !selector.includes(NAMESPACE_MATCHER))) {
        problems.push(`${where}: ${name} is read without ${NAMESPACE_MATCHER}`);
      }
    }
    for (const argument of histogramQuantileArguments(expr)) {
      const read = metricsIn(argument);
      if (read.length === 0 || !read.every((name) => name.endsWith('_bucket')) || !labelsIn(argument).includes('le')) {
        problems.push(`${where}: histogram_quantile must read _bucket series kept apart by le, not ${read.join(', ')}`);
      }
    }
    for (const [, name] of expr.matchAll(/\$\{?(\w+)/g)) {
      if (!name!.startsWith('__') && !variableNames.has(name)) problems.push(`${where} uses $${name}, which is not a variable of the dashboard`);
    }
  }
  return problems;
}

/** Every selector of the metric in the expression: `{...}` (empty when it has no label matchers). */
function selectorsOf(expr: string, metric: string): string[] {
  return [...expr.matchAll(new RegExp(`(?<![\\w.:])${metric}(?![\\w:])\\s*(\\{[^}]*\\})?`, 'g'))].map((m) => m[1] ?? '{}');
}

/** The second argument of each histogram_quantile(φ, ...) call. */
function histogramQuantileArguments(expr: string): string[] {
  const found: string[] = [];
  for (const call of expr.matchAll(/histogram_quantile\s*\(/g)) {
    let depth = 1;
    let end = call.index! + call[0].length;
    while (end < expr.length && depth > 0) {
      if (expr[end] === '(') depth++;
      if (expr[end] === ')') depth--;
      end++;
    }
    const args = expr.slice(call.index! + call[0].length, end - 1);
    found.push(args.slice(args.indexOf(',') + 1));
  }
  return found;
}

/**
 * Whether a rendered overlay ships each dashboard as Grafana's sidecar loads it: a ConfigMap carrying the label,
 * named without a content hash (else every change leaves the old copy, with the same uid, beside the new one),
 * holding the file as it is in the repository, small enough to apply.
 */
export function shippedDashboardProblems(objects: K8sObject[], dashboards: Dashboard[]): string[] {
  const problems: string[] = [];
  const labelled = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata?.labels?.[SIDECAR_LABEL.name] === SIDECAR_LABEL.value);
  for (const { file, json } of dashboards) {
    const holders = objects.filter((o) => o.kind === 'ConfigMap' && typeof o.data?.[file] === 'string');
    if (holders.length !== 1) {
      problems.push(`${file} is in ${holders.length} ConfigMaps, not one`);
      continue;
    }
    const configMap = holders[0]!;
    const name = configMap.metadata.name as string;
    if (!labelled.includes(configMap)) problems.push(`ConfigMap ${name} holding ${file} lacks the label ${SIDECAR_LABEL.name}: "${SIDECAR_LABEL.value}"`);
    if (name !== `agentgov-dashboard-${file.replace(/\.json$/, '')}`)
      problems.push(`ConfigMap ${name} holding ${file} is not named agentgov-dashboard-${file.replace(/\.json$/, '')}`);
    if (canonical(configMap.data[file]) !== JSON.stringify(json)) problems.push(`ConfigMap ${name} holds another ${file} than deploy/grafana's`);
    const bytes = Buffer.byteLength(JSON.stringify(configMap));
    if (bytes > MAX_CONFIGMAP_BYTES) problems.push(`ConfigMap ${name} is ${bytes} bytes, more than kubectl apply can keep (${MAX_CONFIGMAP_BYTES})`);
  }
  for (const configMap of labelled) {
    const files = Object.keys(configMap.data ?? {});
    if (!files.every((f) => dashboards.some((d) => d.file === f))) {
      problems.push(`ConfigMap ${configMap.metadata.name} carries the sidecar label but holds ${files.join(', ')}, not a dashboard of deploy/grafana`);
    }
  }
  return problems;
}

/** The JSON text with its layout dropped, or undefined when it is not JSON. */
function canonical(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return undefined;
  }
}
