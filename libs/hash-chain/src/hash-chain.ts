import { createHash } from 'node:crypto';

/** The `prev_hash` of the first row of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Stable JSON: keys sorted at every depth, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * One link of a tamper-evident chain: the hash covers the previous link's hash and this row's content, so
 * editing or deleting any row breaks every later one.
 */
export function linkHash(prevHash: string, content: unknown): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
}

export interface ChainedRow {
  prevHash: string;
  hash: string;
  content: unknown;
}

/** The first row (in chain order) whose links do not hold, or undefined when the whole chain verifies. */
export function firstBrokenLink(rows: Iterable<ChainedRow>, startHash = GENESIS_HASH): { index: number; why: string } | undefined {
  let expectedPrev = startHash;
  let index = 0;
  for (const row of rows) {
    if (row.prevHash !== expectedPrev) return { index, why: 'prev_hash does not match the previous row' };
    if (linkHash(row.prevHash, row.content) !== row.hash) return { index, why: 'hash does not match the row' };
    expectedPrev = row.hash;
    index++;
  }
  return undefined;
}
