import { AuditRecord } from '../common/audit-trail';
import { ownerHistory } from './owner-history';
import { ownerMatches, rankOwners } from './owner-search';

const owner = (id: string, email: string | null, displayName: string | null, team: string | null = null) => ({ id, email, displayName, team });

describe('finding an owner and reading their lifecycle', () => {
  it('matches part of an id, email, name or team, whatever the case, the exact id or email first', () => {
    const ann = owner('u-ann', 'ann@example.com', 'Ann Lee', 'Sales');
    const annie = owner('u-annie', 'annie@example.com', 'Annie Ray');
    expect(ownerMatches(ann, 'ANN@EXAMPLE')).toBe(true);
    expect(ownerMatches(ann, 'sales')).toBe(true);
    expect(ownerMatches(owner('u-bob', null, null), 'ann')).toBe(false);
    expect(rankOwners([annie, ann], 'ann@example.com').map((o) => o.id)).toEqual(['u-ann', 'u-annie']);
    expect(rankOwners([annie, ann], 'ann').map((o) => o.id)).toEqual(['u-ann', 'u-annie']);
  });

  it('tells the owner’s lifecycle newest first, with who reported each change and why', () => {
    const record = (seq: string, action: string, details: Record<string, unknown>, extra: Partial<AuditRecord> = {}): AuditRecord => ({
      seq,
      at: `2026-01-0${seq}T00:00:00.000Z`,
      actorType: 'event',
      actor: 'workday',
      action,
      subjectType: 'owner',
      subjectId: 'u-ann',
      details,
      ...extra,
    });
    const history = ownerHistory([
      record('1', 'owner.created', { profile: {} }, { actorType: 'api', actor: 'alice' }),
      record('2', 'owner.profile-updated', { changes: { email: 'a@b.c', team: 'Ops' } }, { actorType: 'api', actor: 'alice' }),
      record('3', 'owner.transferred', { source: 'workday', newManagerId: 'u-max', newTeam: 'Ops' }),
      record('4', 'owner.terminated', { source: 'workday', reason: 'left the company' }),
      record('5', 'owner.lifecycle-ignored-as-stale', { kind: 'owner.reinstated' }),
    ]);
    expect(history.map((row) => [row.what, row.who, row.why])).toEqual([
      ['An older reinstated arrived late and was ignored', 'workday', ''],
      ['Terminated (reported by workday)', 'workday', 'left the company'],
      ['Transferred to manager u-max, team Ops (reported by workday)', 'workday', ''],
      ['Profile changed: email, team', 'alice', ''],
      ['Registered as an owner', 'alice', ''],
    ]);
  });
});
