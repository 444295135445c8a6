import { candidateWords, outcomeWords, signalKindWords, signalStatusWords } from './signal-words';

describe('an unmatched identity signal in plain words', () => {
  it('says what it reports, how it named the person and why nobody was offboarded', () => {
    expect(signalKindWords('owner.terminated')).toBe('Termination');
    expect(candidateWords({ email: 'ann@example.com' })).toBe('email ann@example.com');
    expect(candidateWords({ source: 'okta', externalId: '00u1' })).toBe('okta id 00u1');
    expect(candidateWords({ phone: '+15550100' })).toBe('phone +15550100');
    expect(outcomeWords({ outcome: 'ambiguous', candidateOwnerIds: ['u1', 'u2'] })).toBe('It names 2 owners (u1, u2): nobody is offboarded on a guess.');
    expect(outcomeWords({ outcome: 'unmatched', candidateOwnerIds: [] })).toBe('It names nobody registered here.');
  });

  it('says where it stands', () => {
    const base = { expired: false, resolvedBy: null, resolvedOwnerId: null };
    expect(signalStatusWords({ ...base, status: 'pending' })).toMatch(/^Waiting: it applies itself once an owner matches it/);
    expect(signalStatusWords({ ...base, status: 'pending', expired: true })).toMatch(/^Waiting, and too old to apply itself/);
    expect(signalStatusWords({ status: 'applied', expired: false, resolvedBy: 'alice', resolvedOwnerId: 'u1' })).toBe('Applied to owner u1 by alice');
    expect(signalStatusWords({ ...base, status: 'dismissed', resolvedBy: 'alice' })).toBe('Dismissed by alice');
  });
});
