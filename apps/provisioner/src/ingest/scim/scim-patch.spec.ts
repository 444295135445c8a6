import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { interpretScimPatch } from './scim-patch';
import { ScimError } from './scim.errors';

const REAL_WORLD = resolve(__dirname, '../../../../../test/fixtures/real-world');
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const patch = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

describe('SCIM PATCH interpretation', () => {
  it("reads Okta's published deactivation (replace, no path, value {active: false}) as active false", () => {
    const body = JSON.parse(readFileSync(resolve(REAL_WORLD, 'scim/okta-style.patch-active-false.json'), 'utf8'));

    expect(interpretScimPatch(body)).toEqual({ active: false, profile: {}, name: {}, ignored: [] });
  });

  it.each([
    ['replace, path active, boolean', { op: 'replace', path: 'active', value: false }, false],
    ['Replace (Entra letter case), path active, "False"', { op: 'Replace', path: 'active', value: 'False' }, false],
    ['REPLACE, path active, "false"', { op: 'REPLACE', path: 'active', value: 'false' }, false],
    ['add, path active, false (add on a single value replaces it)', { op: 'add', path: 'active', value: false }, false],
    ['Add, no path, {active: "False"}', { op: 'Add', value: { active: 'False' } }, false],
    ['replace, no path, {Active: false} (attribute names are case-insensitive)', { op: 'replace', value: { Active: false } }, false],
    ['replace, schema-qualified path', { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:active', value: false }, false],
    ['replace, no path, schema-qualified key', { op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:User:active': false } }, false],
    [
      'replace, no path, schema URN holding the attributes',
      { op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:User': { active: false } } },
      false,
    ],
    ['replace, path active, true', { op: 'replace', path: 'active', value: true }, true],
    ['Replace, path active, "True"', { op: 'Replace', path: 'active', value: 'True' }, true],
  ])('%s', (_name, operation, active) => {
    expect(interpretScimPatch(patch(operation)).active).toBe(active);
  });

  it('lets the last operation on active win', () => {
    expect(interpretScimPatch(patch({ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'active', value: true })).active).toBe(true);
  });

  it('does not read removing active as a deactivation', () => {
    const changes = interpretScimPatch(patch({ op: 'remove', path: 'active' }));

    expect(changes.active).toBeUndefined();
    expect(changes.ignored).toEqual(['active']);
  });

  it('reads profile attributes in path, filtered-path and no-path forms, and the enterprise extension', () => {
    const changes = interpretScimPatch(
      patch(
        { op: 'Replace', path: 'displayName', value: 'Jane Smith' },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'jane@example.com' },
        { op: 'add', path: 'phoneNumbers[type eq "mobile"]', value: { value: '+1 206-555-0123', type: 'mobile' } },
        { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: 'mgr-1' },
        { op: 'replace', value: { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Payments' }, title: 'Engineer' } },
        { op: 'replace', path: 'userName', value: 'jane@example.com' },
        { op: 'replace', path: 'externalId', value: '00u-jane' },
      ),
    );

    expect(changes).toEqual({
      profile: { displayName: 'Jane Smith', email: 'jane@example.com', phone: '+1 206-555-0123', managerId: 'mgr-1', team: 'Payments' },
      name: {},
      userName: 'jane@example.com',
      externalId: '00u-jane',
      ignored: ['title'],
    });
  });

  it('keeps the name parts: Entra ID\'s name.familyName path, the "name.givenName" key of a no-path value, a name object merged part by part', () => {
    const changes = interpretScimPatch(
      patch(
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Add', value: { 'name.givenName': 'Jane', displayName: 'Jane Updated' } },
        { op: 'replace', path: 'name', value: { middleName: 'Q', honorificPrefix: 'Dr.' } },
      ),
    );

    expect(changes.name).toEqual({ familyName: 'updatedFamilyName', givenName: 'Jane', middleName: 'Q', honorificPrefix: 'Dr.' });
    expect(changes.profile).toEqual({ displayName: 'Jane Updated' });
  });

  it('removes one name part, or all of them with remove name; an unknown part is ignored', () => {
    expect(interpretScimPatch(patch({ op: 'remove', path: 'name.middleName' })).name).toEqual({ middleName: null });
    expect(interpretScimPatch(patch({ op: 'remove', path: 'name' })).name).toEqual({
      formatted: null,
      familyName: null,
      givenName: null,
      middleName: null,
      honorificPrefix: null,
      honorificSuffix: null,
    });
    expect(interpretScimPatch(patch({ op: 'replace', path: 'name.nickname', value: 'J' })).ignored).toEqual(['name.nickname']);
  });

  it('reads manager as {value} and removes it with remove', () => {
    expect(
      interpretScimPatch(patch({ op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', value: { value: 'mgr-2' } })).profile,
    ).toEqual({ managerId: 'mgr-2' });
    expect(interpretScimPatch(patch({ op: 'remove', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager' })).profile).toEqual({
      managerId: null,
    });
  });

  it.each([
    ['a body that is not an object', [], 'invalidSyntax'],
    ['no PatchOp schema', { schemas: ['urn:x'], Operations: [{ op: 'replace', path: 'active', value: false }] }, 'invalidSyntax'],
    ['no Operations', { schemas: [PATCH_OP] }, 'invalidSyntax'],
    ['empty Operations', patch(), 'invalidSyntax'],
    ['an unknown op', patch({ op: 'deactivate', path: 'active', value: false }), 'invalidSyntax'],
    ['remove without a path', patch({ op: 'remove' }), 'noTarget'],
    ['no path and a scalar value', patch({ op: 'replace', value: false }), 'invalidSyntax'],
    ['active that is not a boolean', patch({ op: 'replace', path: 'active', value: 'no' }), 'invalidValue'],
    ['active as a number', patch({ op: 'replace', path: 'active', value: 0 }), 'invalidValue'],
    ['an unparseable path', patch({ op: 'replace', path: 'emails[type eq "work"', value: 'x' }), 'invalidPath'],
    ['a name that is not an object', patch({ op: 'replace', path: 'name', value: 'Jane' }), 'invalidValue'],
    ['a name part that is not a string', patch({ op: 'replace', path: 'name.givenName', value: 7 }), 'invalidValue'],
    ['replace without a value', patch({ op: 'replace', path: 'active' }), 'invalidSyntax'],
  ])('refuses %s', (_name, body, scimType) => {
    let error: unknown;
    try {
      interpretScimPatch(body);
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType });
  });

  it('never repeats the request in an error', () => {
    const secretPath = 'emails[type eq "SECRET-INPUT"';
    expect(() => interpretScimPatch(patch({ op: 'replace', path: secretPath, value: 'x' }))).toThrow(
      expect.objectContaining({ detail: expect.not.stringContaining('SECRET-INPUT') }),
    );
  });
});
