import { gatherPages } from './paging';
import { refusalWords } from './refusal-words';
import { daysFromNow, durationWords } from './time-words';

describe('the pages’ common pieces', () => {
  it('reads a paged list to its end, or stops at the page limit and says so', async () => {
    const pages: Record<string, { items: number[]; next?: string }> = { start: { items: [1, 2], next: 'b' }, b: { items: [3], next: 'c' }, c: { items: [4] } };
    const asked: Array<string | undefined> = [];
    const fetchPage = async (next: string | undefined) => {
      asked.push(next);
      return pages[next ?? 'start'];
    };
    expect(await gatherPages(fetchPage, 10)).toEqual({ items: [1, 2, 3, 4], complete: true });
    expect(asked).toEqual([undefined, 'b', 'c']);
    expect(await gatherPages(fetchPage, 2)).toEqual({ items: [1, 2, 3], complete: false });
  });

  it('explains a refusal in the page’s words, or leaves it to the general explanation', () => {
    const context = {
      forbidden: 'Changing the policy is for admins.',
      codes: { POLICY_VERSION_CONFLICT: 'Someone changed it.', UNKNOWN_SCOPES: (d: string) => `No ${d}.` },
    };
    expect(refusalWords({ code: 'AUTH_FORBIDDEN', detail: '' }, context)).toBe(
      'Your account does not have a role that allows this. Changing the policy is for admins.',
    );
    expect(refusalWords({ code: 'POLICY_VERSION_CONFLICT', detail: 'x' }, context)).toBe('Someone changed it.');
    expect(refusalWords({ code: 'UNKNOWN_SCOPES', detail: 'crm.write' }, context)).toBe('No crm.write.');
    expect(refusalWords({ code: 'AUTH_EXPIRED', detail: '' }, context)).toBeUndefined();
    expect(refusalWords({ code: 'AUTH_FORBIDDEN', detail: '' }, {})).toBeUndefined();
  });

  it('says how far away a moment is', () => {
    const now = Date.parse('2026-03-10T12:00:00.000Z');
    expect(daysFromNow('2026-03-10T20:00:00.000Z', now)).toBe('today');
    expect(daysFromNow('2026-03-11T12:00:00.000Z', now)).toBe('tomorrow');
    expect(daysFromNow('2026-03-01T12:00:00.000Z', now)).toBe('9 days ago');
    expect(durationWords('2026-01-09T12:00:00.000Z', now)).toBe('60 days');
    expect(durationWords('2026-03-10T07:00:00.000Z', now)).toBe('5 hours');
    expect(durationWords('2026-03-10T11:30:00.000Z', now)).toBe('less than an hour');
  });
});
