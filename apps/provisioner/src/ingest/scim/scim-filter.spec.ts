import { parseScimFilter, ScimUserFilter } from './scim-filter';
import { filterSql } from './scim-users.repository';
import { ScimError } from './scim.errors';

const eq = (attribute: 'id' | 'userName' | 'externalId' | 'email', value: string): ScimUserFilter => ({ op: 'eq', attribute, value });
const email: ScimUserFilter = { op: 'emailPresent' };

describe('SCIM filters', () => {
  it.each<[string, ScimUserFilter]>([
    ['userName eq "jane@example.com"', eq('userName', 'jane@example.com')],
    // What Microsoft Entra ID sends to match a user before creating one (default mapping and the SCIM validator).
    ['userName eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"', eq('userName', 'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081')],
    ['externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"', eq('externalId', '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef')],
    ['USERNAME EQ "a"', eq('userName', 'a')],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"', eq('userName', 'a')],
    ['id eq "owner-1"', eq('id', 'owner-1')],
    ['userName eq "quote \\" and \\\\ backslash"', eq('userName', 'quote " and \\ backslash')],
    [
      'emails[type eq "work"].value eq "jane@example.com"',
      { op: 'and', left: { op: 'and', left: email, right: { op: 'constant', value: true } }, right: eq('email', 'jane@example.com') },
    ],
    [
      'emails[type eq "home"].value eq "jane@example.com"',
      { op: 'and', left: { op: 'and', left: email, right: { op: 'constant', value: false } }, right: eq('email', 'jane@example.com') },
    ],
    ['emails[value eq "jane@example.com"]', { op: 'and', left: email, right: eq('email', 'jane@example.com') }],
    ['emails.value eq "jane@example.com"', { op: 'and', left: email, right: eq('email', 'jane@example.com') }],
    ['emails eq "jane@example.com"', { op: 'and', left: email, right: eq('email', 'jane@example.com') }],
    [
      'emails[type eq "work" and primary eq true]',
      { op: 'and', left: email, right: { op: 'and', left: { op: 'constant', value: true }, right: { op: 'constant', value: true } } },
    ],
    // and binds tighter than or (RFC 7644 §3.4.2.2).
    [
      'userName eq "a" or externalId eq "b" and id eq "c"',
      { op: 'or', left: eq('userName', 'a'), right: { op: 'and', left: eq('externalId', 'b'), right: eq('id', 'c') } },
    ],
    [
      '(userName eq "a" or externalId eq "b") and not (id eq "c")',
      { op: 'and', left: { op: 'or', left: eq('userName', 'a'), right: eq('externalId', 'b') }, right: { op: 'not', filter: eq('id', 'c') } },
    ],
  ])('reads %s', (filter, parsed) => {
    expect(parseScimFilter(filter)).toEqual(parsed);
  });

  it('reads no filter as none', () => {
    expect(parseScimFilter(undefined)).toBeUndefined();
    expect(parseScimFilter('')).toBeUndefined();
  });

  it.each([
    ['another operator', 'userName co "x"'],
    ['pr', 'externalId pr'],
    ['an attribute not supported', 'title eq "x"'],
    ['an extension attribute', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"'],
    ['an unquoted value', 'userName eq x'],
    ['a number for a string attribute', 'userName eq 42'],
    ['a missing value', 'userName eq'],
    ['an unclosed string', 'userName eq "x'],
    ['an unclosed parenthesis', '(userName eq "x"'],
    ['an unclosed bracket', 'emails[type eq "work"'],
    ['text after the filter', 'userName eq "x" userName'],
    ['a dangling and', 'userName eq "x" and'],
    ['a bracket on a single-valued attribute', 'userName[value eq "x"]'],
    ['an unknown email sub-attribute', 'emails.display eq "x"'],
    ['a NUL in a value', 'userName eq "a\\u0000"'],
    ['an unpaired surrogate in a value', 'userName eq "\\ud800"'],
    ['a filter given twice', ['userName eq "a"', 'userName eq "b"']],
    ['deep nesting', `${'('.repeat(30)}userName eq "a"${')'.repeat(30)}`],
    ['too many comparisons', Array.from({ length: 51 }, (_, i) => `userName eq "${i}"`).join(' or ')],
    ['a filter too long', `userName eq "${'x'.repeat(3000)}"`],
  ])('refuses %s with invalidFilter, without repeating it', (_name, filter) => {
    let error: unknown;
    try {
      parseScimFilter(filter);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect((error as ScimError).detail).not.toMatch(/"x|title|department/);
  });

  it('compiles to SQL with every value bound as a parameter', () => {
    const params: unknown[] = [];
    const sql = filterSql(parseScimFilter(`userName eq "x'; DROP TABLE owners; --" or not (externalId eq "b")`)!, params);

    expect(params).toEqual([`x'; DROP TABLE owners; --`, 'b']);
    expect(sql).not.toContain('DROP');
    expect(sql).toContain('(NOT (s."external_id" IS NOT NULL AND s."external_id" = $2))');
  });
});
