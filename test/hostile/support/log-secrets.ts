/**
 * Scans what services logged for secrets a test used or saw: bearer tokens, client secrets, issued access tokens,
 * shared secrets, key material. A secret is looked for in every form it can take in a log line (itself, a JWT's
 * signature alone, base64 and base64url spellings, URL-encoded), anywhere in any line of either stream.
 */

export interface LogLine {
  service: string;
  stream: 'stdout' | 'stderr';
  /** 1-based line number within its stream. */
  number: number;
  text: string;
}

export interface Secret {
  /** What it is, for the report (never the value itself). */
  name: string;
  value: string;
}

export interface SecretLeak {
  secret: string;
  form: string;
  service: string;
  stream: LogLine['stream'];
  line: number;
  /** The line around the find, with the secret masked, so a failing test does not print it again. */
  excerpt: string;
}

/** What a spawned service exposes of its output (SpawnedService from @agentgov/test-support). */
export interface LogSource {
  stdout(): string;
  stderr(): string;
}

/** Shorter strings would match by chance; a test that registers one has a bug. */
export const MIN_SECRET_LENGTH = 12;
const ANCHOR = MIN_SECRET_LENGTH;
// Characters a secret is spelled with in any of its forms: base64, base64url, JWT dots, URL escapes.
const RUN = /[A-Za-z0-9+/=_\-.~%]{12,}/g;

/** Every line of both streams of a service, numbered. */
export function logLinesOf(service: string, source: LogSource): LogLine[] {
  const lines: LogLine[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const text = source[stream]();
    if (!text) continue;
    text.split('\n').forEach((line, i) => {
      if (line.length > 0) lines.push({ service, stream, number: i + 1, text: line });
    });
  }
  return lines;
}

/** The spellings under which a secret can show up in a log line. */
export function secretForms(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) throw new Error(`a secret to look for must have at least ${MIN_SECRET_LENGTH} characters`);
  const forms = new Set<string>([value]);
  const parts = value.split('.');
  // A JWT's header and claims are not secret (and the header is the same in every token): its signature is.
  if (parts.length === 3 && parts[2]!.length >= MIN_SECRET_LENGTH) forms.add(parts[2]!);
  if (/^[A-Za-z0-9+/]+=*$/.test(value)) forms.add(value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  if (/^[A-Za-z0-9_-]+$/.test(value)) {
    const padded = value.replace(/-/g, '+').replace(/_/g, '/');
    forms.add(padded + '='.repeat((4 - (padded.length % 4)) % 4));
  }
  for (const form of [...forms]) forms.add(encodeURIComponent(form));
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

/**
 * Every place a secret appears in the lines. Linear in the size of the logs: each run of secret-like characters
 * is looked up by its 12-character windows in an index of the secrets' first 12 characters.
 */
export function findSecretLeaks(lines: readonly LogLine[], secrets: readonly Secret[]): SecretLeak[] {
  const byAnchor = new Map<string, Array<{ secret: Secret; form: string }>>();
  const formsOf = new Map<Secret, string[]>();
  for (const secret of secrets) {
    formsOf.set(secret, secretForms(secret.value));
    for (const form of formsOf.get(secret)!) {
      const anchor = form.slice(0, ANCHOR);
      const list = byAnchor.get(anchor) ?? [];
      list.push({ secret, form });
      byAnchor.set(anchor, list);
    }
  }
  const leaks: SecretLeak[] = [];
  for (const line of lines) {
    for (const run of line.text.matchAll(RUN)) {
      const text = run[0];
      for (let i = 0; i + ANCHOR <= text.length; i++) {
        const candidates = byAnchor.get(text.slice(i, i + ANCHOR));
        if (!candidates) continue;
        for (const { secret, form } of candidates) {
          if (!text.startsWith(form, i)) continue;
          const at = (run.index ?? 0) + i;
          let masked = line.text.slice(Math.max(0, at - 80), at + form.length + 80);
          for (const f of formsOf.get(secret)!) masked = masked.split(f).join(`[${secret.name}]`);
          leaks.push({
            secret: secret.name,
            form: form === secret.value ? 'as is' : 'another spelling',
            service: line.service,
            stream: line.stream,
            line: line.number,
            excerpt: masked,
          });
        }
      }
    }
  }
  return leaks;
}

/** A readable report of leaks (no secret values), for a failing expectation. */
export function describeLeaks(leaks: readonly SecretLeak[], max = 20): string {
  return leaks
    .slice(0, max)
    .map((l) => `${l.secret} (${l.form}) in ${l.service} ${l.stream}:${l.line}: …${l.excerpt}…`)
    .join('\n');
}
