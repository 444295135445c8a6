import { SCIM_AGENT_EXTENSION_SCHEMA as EXT, SCIM_AGENT_SCHEMA } from './scim-agent';
import { applyScopeOperations, interpretScimAgentPatch, resolveOwner } from './scim-agent-patch';
import { SCIM_PATCH_OP_SCHEMA } from './scim.constants';
import { ScimError } from './scim.errors';

const patch = (...Operations: unknown[]) => interpretScimAgentPatch({ schemas: [SCIM_PATCH_OP_SCHEMA], Operations });
const PARENT = '11111111-2222-4333-8444-555555555555';

function refusal(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    return error as ScimError;
  }
  throw new Error('not refused');
}

describe('SCIM PATCH of an Agent', () => {
  it("reads Entra ID's form: a path per attribute, op and booleans in any case", () => {
    expect(
      patch(
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Replace', path: 'displayName', value: 'Renamed' },
        { op: 'Add', path: 'externalId', value: 'ext-1' },
        { op: 'Remove', path: 'description' },
        { op: 'Replace', path: `${SCIM_AGENT_SCHEMA}:agentUserName`, value: 'helpdesk' },
      ),
    ).toEqual({
      active: false,
      displayName: 'Renamed',
      externalId: 'ext-1',
      description: null,
      agentUserName: 'helpdesk',
      owners: [],
      scopes: [],
      ignored: [],
    });
  });

  it("reads Okta's form: no path, an object of attributes, the extension's under its URN", () => {
    expect(patch({ op: 'replace', value: { active: true, [EXT]: { riskTier: 'high' }, [`${EXT}:expiresAt`]: null, title: 'x' } })).toEqual({
      active: true,
      riskTier: 'high',
      expiresAt: null,
      owners: [],
      scopes: [],
      ignored: ['title'],
    });
    expect(patch({ op: 'add', path: EXT, value: { scopes: ['a', 'b'], parent: { value: PARENT } } })).toMatchObject({
      scopes: [{ op: 'add', values: ['a', 'b'] }],
      parentId: PARENT,
    });
  });

  it('reads the forms an owner reference is changed in', () => {
    expect(patch({ op: 'replace', path: 'owners', value: [{ value: 'o-2', $ref: '../Users/o-2' }] }).owners).toEqual([{ op: 'replace', ownerId: 'o-2' }]);
    expect(patch({ op: 'replace', path: 'owners[value eq "o-1"].value', value: 'o-2' }).owners).toEqual([{ op: 'replace', ownerId: 'o-2', match: 'o-1' }]);
    expect(patch({ op: 'remove', path: 'owners[value eq "o-1"]' }).owners).toEqual([{ op: 'remove', match: 'o-1' }]);
    expect(patch({ op: 'replace', path: 'owners.display', value: 'x' }).ignored).toEqual(['owners.display']);
  });

  it('resolves owner operations against the one owner an agent has', () => {
    expect(resolveOwner('o-1', [{ op: 'replace', ownerId: 'o-2' }])).toBe('o-2');
    expect(resolveOwner('o-1', [{ op: 'replace', ownerId: 'o-2', match: 'o-1' }])).toBe('o-2');
    expect(resolveOwner('o-1', [{ op: 'add', ownerId: 'o-1' }])).toBe('o-1');
    expect(resolveOwner('o-1', [{ op: 'remove', match: 'o-9' }])).toBe('o-1');
    // Entra ID's replacement of a reference: remove the old, add the new.
    expect(
      resolveOwner('o-1', [
        { op: 'remove', match: 'o-1' },
        { op: 'add', ownerId: 'o-2' },
      ]),
    ).toBe('o-2');
    expect(resolveOwner('o-1', [{ op: 'remove' }, { op: 'add', ownerId: 'o-2' }])).toBe('o-2');
    expect(refusal(() => resolveOwner('o-1', [{ op: 'add', ownerId: 'o-2' }]))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(refusal(() => resolveOwner('o-1', [{ op: 'remove' }]))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(refusal(() => resolveOwner('o-1', [{ op: 'replace', ownerId: 'o-2', match: 'o-9' }]))).toMatchObject({ status: 400, scimType: 'noTarget' });
  });

  it('applies scope operations in order', () => {
    const operations = patch(
      { op: 'add', path: `${EXT}:scopes`, value: ['c'] },
      { op: 'remove', path: `${EXT}:scopes[value eq "a"]` },
      { op: 'remove', path: `${EXT}:scopes`, value: ['b'] },
    ).scopes;
    expect(applyScopeOperations(['a', 'b'], operations)).toEqual(['c']);
    expect(applyScopeOperations(['a'], patch({ op: 'replace', path: `${EXT}:scopes`, value: ['x', 'y'] }).scopes)).toEqual(['x', 'y']);
    expect(applyScopeOperations(['a'], patch({ op: 'remove', path: `${EXT}:scopes` }).scopes)).toEqual([]);
  });

  it.each([
    ['no PatchOp schema', { schemas: [SCIM_AGENT_SCHEMA], Operations: [{ op: 'replace', path: 'active', value: true }] }, 'invalidSyntax'],
    ['no operations', { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: [] }, 'invalidSyntax'],
    ['an unknown op', { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: [{ op: 'MARKER', path: 'active', value: true }] }, 'invalidSyntax'],
    ['a remove without path', { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: [{ op: 'remove' }] }, 'noTarget'],
    [
      'a path that is no attribute notation',
      { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: [{ op: 'replace', path: 'owners[MARKER', value: 'x' }] },
      'invalidPath',
    ],
    ['the read-only status', { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: [{ op: 'replace', path: `${EXT}:status`, value: 'active' }] }, 'mutability'],
    ['removing the platform', { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: [{ op: 'remove', path: `${EXT}:platform` }] }, 'mutability'],
    ['removing the risk tier', { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: [{ op: 'remove', path: `${EXT}:riskTier` }] }, 'invalidValue'],
    [
      'an owners filter on another sub-attribute',
      { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: [{ op: 'remove', path: 'owners[display eq "MARKER"]' }] },
      'invalidFilter',
    ],
    [
      'a Group as owner',
      { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: [{ op: 'replace', path: 'owners', value: [{ value: 'MARKER', type: 'Group' }] }] },
      'invalidValue',
    ],
  ])('refuses %s in SCIM terms, without repeating it', (_why, body, scimType) => {
    const error = refusal(() => interpretScimAgentPatch(body));
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType });
    expect(error.detail).not.toContain('MARKER');
  });
});
