import { actionWords, describeFeature, formatDelay, whatHappened, whereItStands } from './incident-words';

describe('the console’s plain words for an incident', () => {
  it("keeps the baseliner's sentence to what happened and what is usual", () => {
    const summary =
      '500 records touched in 10 min; usually about 15 a day, up to 5.1 in 10 min at this time; on its own history, about once in 611 days (critical risk)';
    expect(whatHappened({ kind: 'behavior', summary })).toBe('500 records touched in 10 min; usually about 15 a day, up to 5.1 in 10 min at this time');
    expect(whatHappened({ kind: 'behavior', summary: '500 actions in 10 min; usually about 15 a day (high risk)' })).toBe(
      '500 actions in 10 min; usually about 15 a day',
    );
    expect(whatHappened({ kind: 'shadow-agent', summary: 'activity from bot-7, which the registry never announced: crm.read on crm.contact' })).toBe(
      'Activity from bot-7, which the registry never announced: crm.read on crm.contact',
    );
  });

  it('says what was done and what the connectors answered', () => {
    const receipts = (...statuses: string[]) => statuses.map((status) => ({ connector: status, status: status as never, at: '2026-12-01T00:00:00Z' }));
    expect(actionWords({ kind: 'contain', receipts: receipts('confirmed', 'confirmed') })).toBe('logged out at 2 of 2 systems');
    expect(actionWords({ kind: 'contain', receipts: receipts('confirmed', 'retrying', 'failed') })).toBe('logged out at 1 of 3 systems, 1 failed, 1 retrying');
    expect(actionWords({ kind: 'release', receipts: [] })).toBe('restored, no connector to reach');
    expect(whereItStands({ status: 'contained', actions: [], releaseRequest: { by: 'sam', at: '' }, acknowledgedBy: null })).toBe(
      'Contained; release asked by sam, waiting for a second analyst',
    );
    expect(whereItStands({ status: 'open', actions: [], releaseRequest: null, acknowledgedBy: null })).toBe('Open: nothing done yet');
  });

  it('names each feature in the analyst’s units', () => {
    expect(describeFeature({ name: 'records-touched', expected: 1.49, observed: 500 })).toEqual({
      label: 'Records touched in 10 minutes',
      expected: 'about 1.5',
      observed: '500',
    });
    expect(describeFeature({ name: 'new-tool:sql-runner', expected: 0, observed: 1 })).toEqual({
      label: 'A tool it never used before: sql-runner',
      expected: 'never',
      observed: 'first time',
    });
    expect(describeFeature({ name: 'denied-share', expected: 0.02, observed: 0.6 })).toMatchObject({ expected: '2%', observed: '60%' });
  });

  it('gives each receipt its time from the anomaly', () => {
    expect(formatDelay('2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.412Z')).toBe('+0.4 s');
    expect(formatDelay('2026-12-01T10:00:00.000Z', '2026-12-01T10:03:00.000Z')).toBe('+3 min');
  });
});
