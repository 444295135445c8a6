import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { filesUnder, REPO_ROOT } from './deploy-fixtures';

/** Series Prometheus itself writes for every scraped target: not on any /metrics page. */
export const PROMETHEUS_OWN_METRICS: readonly string[] = ['up'];

/**
 * Labels Prometheus adds to every series it scrapes through the ServiceMonitor (the target's Service, namespace,
 * pod...): not on the /metrics page either, so only the ServiceMonitor vouches for them.
 */
export const TARGET_LABELS: readonly string[] = ['namespace', 'service', 'pod', 'job', 'instance', 'endpoint', 'container'];

/** Metric names the code registers (OpenTelemetry instruments), as the Prometheus exporter writes them. */
export function exportedMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const root of ['apps', 'libs']) {
    for (const file of filesUnder(join(REPO_ROOT, root), (f) => f.endsWith('.ts') && !/\.(spec|integration-spec)\.ts$/.test(f) && !f.includes('/test/'))) {
      for (const match of readFileSync(join(REPO_ROOT, file), 'utf8').matchAll(
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

/** PromQL words that are neither functions (always followed by a parenthesis) nor metrics. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'le', 'inf', 'nan']);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

/** The expression without string literals (label values, regexes) and without Grafana's `$variables`. */
function withoutStringsAndVariables(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""').replace(/\$\{[^}]*\}|\$\w+/g, ' ');
}

/**
 * Metric names a PromQL expression reads, exactly as they must appear on /metrics (a histogram's `_bucket`,
 * `_sum` and `_count` series are names of their own there): every identifier once string literals, grouping
 * clauses (`by (...)`, `on (...)`), label matchers, range selectors, function calls and keywords are set apart.
 */
export function metricsIn(expr: string): string[] {
  const bare = withoutStringsAndVariables(expr)
    .replace(GROUPING, ' ')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]');
  const words = [...bare.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!);
  return [...new Set(words.filter((word) => !KEYWORDS.has(word.toLowerCase())))];
}

/** Label names a PromQL expression matches on (`{label="..."}`) or groups by (`by (label, ...)`). */
export function labelsIn(expr: string): string[] {
  const bare = withoutStringsAndVariables(expr);
  const matched = [...bare.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!));
  const grouped = [...bare.matchAll(GROUPING)].flatMap((m) =>
    m[2]!
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  return [...new Set([...matched, ...grouped])];
}

/** Every series name on a Prometheus text page, with the label names its series carry. */
export function seriesOf(prometheusText: string): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const line of prometheusText.split('\n')) {
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+/.exec(line);
    if (!sample) continue;
    const labels = series.get(sample[1]!) ?? new Set<string>();
    for (const label of (sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="(?:[^"\\]|\\.)*"/g)) labels.add(label[1]!);
    series.set(sample[1]!, labels);
  }
  return series;
}
