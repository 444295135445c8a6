import { AuditEntry, GENESIS_HASH, canonicalJson, chainHash } from './audit-chain';

const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  at: new Date('2026-11-23T10:00:00.000Z'),
  actorType: 'event',
  causeEventId: 'evt-1',
  action: 'agent.deprovisioned',
  subjectType: 'agent',
  subjectId: 'a1',
  details: { b: 1, a: [2, { d: 3, c: 4 }] },
  ...overrides,
});

describe('the audit hash chain', () => {
  it('hashes the same content the same way whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe(canonicalJson({ a: { c: 2, d: 1 }, b: 1 }));
    expect(chainHash(GENESIS_HASH, entry())).toBe(chainHash(GENESIS_HASH, entry({ details: { a: [2, { c: 4, d: 3 }], b: 1 } })));
  });

  it('changes when any field or the previous hash changes', () => {
    const base = chainHash(GENESIS_HASH, entry());
    expect(chainHash(GENESIS_HASH, entry({ subjectId: 'a2' }))).not.toBe(base);
    expect(chainHash(GENESIS_HASH, entry({ details: { b: 2, a: [2, { d: 3, c: 4 }] } }))).not.toBe(base);
    expect(chainHash(GENESIS_HASH, entry({ at: new Date('2026-11-23T10:00:00.001Z') }))).not.toBe(base);
    expect(chainHash('f'.repeat(64), entry())).not.toBe(base);
  });
});
