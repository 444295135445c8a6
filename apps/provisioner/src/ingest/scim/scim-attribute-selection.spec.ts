import { parseAttributeSelection, selectAttributes } from './scim-attribute-selection';
import { ScimError } from './scim.errors';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const user = {
  schemas: [CORE, ENTERPRISE],
  id: 'owner-1',
  externalId: 'ext-1',
  userName: 'jane@example.com',
  name: { givenName: 'Jane', familyName: 'Smith' },
  displayName: 'Jane Smith',
  active: true,
  emails: [{ value: 'jane@example.com', type: 'work', primary: true }],
  [ENTERPRISE]: { manager: { value: 'mgr-1' }, department: 'Payments' },
  meta: {
    resourceType: 'User',
    created: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-02T00:00:00.000Z',
    location: 'http://x/Users/owner-1',
    version: 'W/"v"',
  },
};

const select = (attributes?: string, excluded?: string) => selectAttributes(user, parseAttributeSelection(attributes, excluded));

describe('attributes and excludedAttributes (RFC 7644 §3.9)', () => {
  it('returns everything without either', () => {
    expect(select()).toEqual(user);
  });

  it('returns only the attributes asked for, with schemas and id always, in any letter case', () => {
    expect(select('USERNAME,active')).toEqual({ schemas: [CORE], id: 'owner-1', userName: 'jane@example.com', active: true });
  });

  it('returns sub-attributes, of complex and of multi-valued attributes', () => {
    expect(select('name.givenName,emails.value,meta.location')).toEqual({
      schemas: [CORE],
      id: 'owner-1',
      name: { givenName: 'Jane' },
      emails: [{ value: 'jane@example.com' }],
      meta: { location: 'http://x/Users/owner-1' },
    });
  });

  it('reads schema-qualified names, and an extension by its URN', () => {
    expect(select(`${CORE}:userName,${ENTERPRISE}:department`)).toEqual({
      schemas: [CORE, ENTERPRISE],
      id: 'owner-1',
      userName: 'jane@example.com',
      [ENTERPRISE]: { department: 'Payments' },
    });
    expect(select(ENTERPRISE)).toEqual({ schemas: [CORE, ENTERPRISE], id: 'owner-1', [ENTERPRISE]: user[ENTERPRISE] });
  });

  it('removes excluded attributes, never schemas or id, and drops what is left empty', () => {
    expect(select(undefined, 'emails,name.givenName,name.familyName,id,schemas,meta')).toEqual({
      schemas: [CORE, ENTERPRISE],
      id: 'owner-1',
      externalId: 'ext-1',
      userName: 'jane@example.com',
      displayName: 'Jane Smith',
      active: true,
      [ENTERPRISE]: user[ENTERPRISE],
    });
    expect(select(undefined, ENTERPRISE).schemas).toEqual([CORE]);
  });

  it('applies excludedAttributes to what attributes selects when both are given', () => {
    expect(select('userName,name', 'name.familyName')).toEqual({ schemas: [CORE], id: 'owner-1', userName: 'jane@example.com', name: { givenName: 'Jane' } });
  });

  it('ignores names the resource does not have', () => {
    expect(select('nickName,title')).toEqual({ schemas: [CORE], id: 'owner-1' });
  });

  it.each([
    ['not attribute notation', 'user name'],
    ['a three-level path', 'name.givenName.first'],
    ['not a string', ['a', 7]],
  ])('refuses %s', (_why, value) => {
    expect(() => parseAttributeSelection(value, undefined)).toThrow(ScimError);
  });
});
