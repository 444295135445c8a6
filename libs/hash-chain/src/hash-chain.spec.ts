import { canonicalJson, firstBrokenLink, GENESIS_HASH, linkHash } from './hash-chain';

describe('a tamper-evident hash chain', () => {
  it('hashes the same content the same way whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe(canonicalJson({ a: { c: 2, d: 1 }, b: 1 }));
    expect(linkHash(GENESIS_HASH, { a: [2, { c: 4, d: 3 }], b: 1 })).toBe(linkHash(GENESIS_HASH, { b: 1, a: [2, { d: 3, c: 4 }] }));
  });

  it('finds the first row that was edited, removed or reordered', () => {
    const rows: { prevHash: string; hash: string; content: unknown }[] = [];
    let prev = GENESIS_HASH;
    for (let i = 0; i < 4; i++) {
      const content = { i, what: `row ${i}` };
      const hash = linkHash(prev, content);
      rows.push({ prevHash: prev, hash, content });
      prev = hash;
    }
    expect(firstBrokenLink(rows)).toBeUndefined();
    expect(firstBrokenLink(rows.map((r, i) => (i === 2 ? { ...r, content: { i, what: 'edited' } } : r)))).toEqual({
      index: 2,
      why: 'hash does not match the row',
    });
    expect(firstBrokenLink(rows.filter((_, i) => i !== 1))).toEqual({ index: 1, why: 'prev_hash does not match the previous row' });
  });
});
