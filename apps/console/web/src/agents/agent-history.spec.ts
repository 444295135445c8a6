import { AuditRecord } from '../common/audit-trail';
import { agentHistory, tokenState, tokenSummary } from './agent-history';

let seq = 0;
function record(action: string, at: string, extra: Partial<AuditRecord> = {}): AuditRecord {
  seq += 1;
  return { seq: String(seq), at, actorType: 'api', actor: 'alice', action, subjectType: 'agent', subjectId: 'a1', ...extra };
}

const registered = { status: 'active', createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'alice', expiresAt: null };
const now = Date.parse('2026-03-01T00:00:00.000Z');

describe('an agent’s status history and token state, from its audit trail', () => {
  const trail = [
    record('agent.registered', '2026-01-01T00:00:00.000Z', { details: { status: 'active' } }),
    record('agent.token-exchanged', '2026-01-02T00:00:00.000Z', { actor: 'a2' }),
    record('agent.scopes-changed', '2026-01-03T00:00:00.000Z', { details: { previousScopes: ['crm.read', 'crm.write'] } }),
    record('agent.secret-rotated', '2026-01-04T00:00:00.000Z', { actor: 'bob' }),
    record('agent.token-revoked', '2026-01-05T00:00:00.000Z', { actor: 'a1' }),
    record('agent.suspended', '2026-01-06T00:00:00.000Z', { actorType: 'event', actor: null, details: { reason: 'owner ann suspended' } }),
    record('agent.reactivated', '2026-01-07T00:00:00.000Z', { reason: 'back from leave' }),
    record('agent.token-exchanged', '2026-01-08T00:00:00.000Z', { actor: 'a2' }),
  ];

  it('lists every change newest first, in words, without the token traffic', () => {
    expect(agentHistory(trail).map((row) => [row.what, row.who, row.why])).toEqual([
      ['Reactivated', 'alice', 'back from leave'],
      ['Suspended', 'an event', 'owner ann suspended'],
      ['Client secret rotated', 'bob', ''],
      ['Scopes changed (before: crm.read, crm.write)', 'alice', ''],
      ['Registered', 'alice', ''],
    ]);
  });

  it('dates the credential from its last rotation, the cut-off from the last revoke-all or suspension, and counts the token traffic', () => {
    const state = tokenState(registered, trail, { now });
    expect(state.credential).toEqual({ since: '2026-01-04T00:00:00.000Z', how: 'rotated', by: 'bob' });
    expect(state.cutOff).toEqual({ at: '2026-01-06T00:00:00.000Z', what: 'suspended', by: 'an event' });
    expect(state.singleRevocations).toEqual({ count: 1, last: '2026-01-05T00:00:00.000Z' });
    expect(state.exchanges).toEqual({ count: 2, last: '2026-01-08T00:00:00.000Z' });
    expect(state.summary).toMatch(/^Active: every token issued before .* was cut off \(suspended\); tokens issued since are accepted until they expire\.$/);
  });

  it('says plainly when no token of the agent is accepted', () => {
    expect(tokenState(registered, [], { now })).toMatchObject({
      credential: { since: registered.createdAt, how: 'registered', by: 'alice' },
      summary: 'Active: no revocation of all its tokens is recorded, so its tokens are accepted until they expire.',
    });
    expect(tokenState({ ...registered, status: 'suspended' }, [], { now }).summary).toMatch(/^Suspended: none of its tokens is accepted/);
    expect(tokenState({ ...registered, status: 'deprovisioned' }, [], { now }).summary).toMatch(/^Deprovisioned/);
    expect(tokenState({ ...registered, expiresAt: '2026-02-01T00:00:00.000Z' }, [], { now }).summary).toMatch(/^Expired/);
    expect(tokenState(registered, [], { now, inactiveParent: 'planner' }).summary).toBe('Its parent planner is not active, so it gets no new token.');
    // Without the audit trail (a reviewer's roles do not show it), nothing is claimed about revocations.
    expect(tokenSummary(registered, 'not-known', { now })).toBe('Active: it gets tokens, each accepted until it expires or is revoked.');
    expect(tokenSummary({ ...registered, status: 'suspended' }, 'not-known', { now })).toMatch(/^Suspended/);
  });
});
