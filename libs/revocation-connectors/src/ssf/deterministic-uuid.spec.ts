import { deterministicUuid } from './deterministic-uuid';

describe('deterministicUuid', () => {
  it('gives the same version-8 UUID for the same inputs and different ones otherwise', () => {
    const uuid = deterministicUuid('action-1:rp', 'session-revoked');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid('action-1:rp', 'session-revoked')).toBe(uuid);
    expect(deterministicUuid('action-1:rp', 'credential-change')).not.toBe(uuid);
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    expect(deterministicUuid('ab', 'c')).not.toBe(deterministicUuid('a', 'bc'));
  });
});
