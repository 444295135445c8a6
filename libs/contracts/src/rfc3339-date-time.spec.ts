import { fullFormats } from 'ajv-formats/dist/formats';

import { isRfc3339DateTime } from './rfc3339-date-time';

const full = (fullFormats['date-time'] as { validate: (value: string) => boolean }).validate;

/** A small deterministic generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

describe('isRfc3339DateTime', () => {
  it.each([
    ['2026-11-29T15:04:05Z', true],
    ['2026-11-29T15:04:05.123Z', true],
    ['2026-11-29T15:04:05.123456789Z', true],
    ['2024-02-29T00:00:00Z', true],
    ['2000-02-29T23:59:59.9Z', true],
    ['2026-12-31T23:59:60Z', true],
    ['2026-11-29t15:04:05z', true],
    ['2026-11-29T15:04:05+01:00', true],
    ['2026-02-29T00:00:00Z', false],
    ['1900-02-29T00:00:00Z', false],
    ['2026-04-31T00:00:00Z', false],
    ['2026-13-01T00:00:00Z', false],
    ['2026-00-10T00:00:00Z', false],
    ['2026-11-00T00:00:00Z', false],
    ['2026-11-29T24:00:00Z', false],
    ['2026-11-29T23:60:00Z', false],
    ['2026-11-29T12:00:60Z', false],
    ['2026-11-29T15:04:05.Z', false],
    ['2026-11-29T15:04:05', false],
    ['2026-11-29 15:04:05Z', true],
    ['2026-1-29T15:04:05Z', false],
    ['+2026-11-29T15:04:05Z', false],
    ['2026-11-29T15:04:05.12a4Z', false],
    ['', false],
  ])('%s → %s, as the full validator decides', (value, expected) => {
    expect(isRfc3339DateTime(value)).toBe(expected);
    expect(full(value)).toBe(expected);
  });

  it('agrees with the full validator on 200,000 mutated timestamps', () => {
    const next = random(42);
    const alphabet = '0123456789-:.TtZz+ x9';
    const disagreements: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const base = new Date(Math.floor(next() * 8e12)).toISOString();
      const chars = [...(next() < 0.3 ? base.replace(/\.\d+Z$/, 'Z') : base)];
      const edits = Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * chars.length);
        const kind = next();
        const c = alphabet[Math.floor(next() * alphabet.length)];
        if (kind < 0.6) chars[at] = c;
        else if (kind < 0.8) chars.splice(at, 1);
        else chars.splice(at, 0, c);
      }
      const value = chars.join('');
      if (isRfc3339DateTime(value) !== full(value)) disagreements.push(value);
    }
    expect(disagreements).toEqual([]);
  });
});
