import { ENV_CHECKS, EnvOf, EnvRuleViolation, EnvSpec, RawEnv } from './env-var';

export interface EnvIssue {
  /** The variable, or undefined for a cross-variable rule (whose text names the variables itself). */
  readonly name?: string;
  readonly rule: string;
}

/** Lists every bad variable, one per line, by name and rule. Values are never included. */
export class EnvValidationError extends Error {
  constructor(readonly issues: readonly EnvIssue[]) {
    super(
      `Invalid environment (${issues.length} variable${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => (issue.name ? `  ${issue.name}: ${issue.rule}` : `  ${issue.rule}`)).join('\n'),
    );
    this.name = 'EnvValidationError';
  }
}

/**
 * Validates the environment against a spec once, at boot. An empty value counts as unset, so that
 * `FOO=` in an env file falls back to the default. Throws EnvValidationError naming every bad variable.
 */
export function loadEnv<S extends EnvSpec>(spec: S, source: RawEnv = process.env): EnvOf<S> {
  const issues: EnvIssue[] = [];
  const result: Record<string, unknown> = {};

  for (const [name, variable] of Object.entries(spec)) {
    const raw = source[name];
    if (raw === undefined || raw === '') {
      if (variable.required) issues.push({ name, rule: `is required and ${variable.rule}` });
      else result[name] = variable.defaultValue;
      continue;
    }
    try {
      result[name] = variable.parse(raw);
    } catch (error) {
      // A parser bug must not leak the value through its message either.
      const rule = error instanceof EnvRuleViolation ? error.message : variable.rule;
      issues.push({ name, rule });
    }
  }

  // Cross-variable rules only make sense once each variable is valid on its own.
  if (issues.length === 0) {
    for (const check of spec[ENV_CHECKS] ?? []) {
      try {
        check(source);
      } catch (error) {
        issues.push({ rule: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  if (issues.length > 0) throw new EnvValidationError(issues);
  return Object.freeze(result) as EnvOf<S>;
}

/** For main.ts: on a bad environment, prints the variables at fault to stderr and exits with status 1. */
export function loadEnvOrExit<S extends EnvSpec>(spec: S, source: RawEnv = process.env): EnvOf<S> {
  try {
    return loadEnv(spec, source);
  } catch (error) {
    if (!(error instanceof EnvValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
