import { explainRefusal } from './api-client';

describe("an API's refusal, in words", () => {
  it('401 is "not signed in", with the reason the service gave and what to do', () => {
    const failure = explainRefusal('provisioner', 401, { status: 401, code: 'AUTH_EXPIRED', detail: 'The token has expired.' }, undefined);

    expect(failure.message).toBe('not signed in: the provisioner API refused the token (The token has expired)');
    expect(failure.details).toMatchObject({ status: 401, code: 'AUTH_EXPIRED', service: 'provisioner', hint: expect.stringContaining('agentgov login') });
  });

  it('403 names the role the token lacks and the roles it has', () => {
    const body = { status: 403, code: 'AUTH_FORBIDDEN', detail: 'This action requires one of the roles: admin.' };

    expect(explainRefusal('containment', 403, body, { roles: ['soc-analyst'] }).message).toBe(
      'your token lacks role admin (it has soc-analyst): the containment API refused: This action requires one of the roles: admin.',
    );
    expect(
      explainRefusal('containment', 403, { ...body, detail: 'This action requires one of the roles: admin, soc-analyst.' }, { roles: [] }).message,
    ).toMatch(/^your token lacks role admin or soc-analyst \(it has no role\)/);
    expect(explainRefusal('containment', 403, body, { providerRoles: ['agentgov-soc'] }).message).toMatch(/^your token lacks role admin: /);
  });

  it("any other refusal shows the problem's detail, status and code, and each field error", () => {
    const conflict = explainRefusal(
      'containment',
      409,
      { status: 409, code: 'POLICY_VERSION_CONFLICT', detail: 'basedOnVersion is 3 but the current version is 4' },
      undefined,
    );
    expect(conflict.message).toBe('basedOnVersion is 3 but the current version is 4 (containment: 409 POLICY_VERSION_CONFLICT)');
    expect(conflict.details.code).toBe('POLICY_VERSION_CONFLICT');

    const invalid = explainRefusal(
      'provisioner',
      400,
      {
        status: 400,
        code: 'VALIDATION_FAILED',
        detail: 'The request body is invalid.',
        errors: [{ pointer: '/reason', detail: 'must NOT have fewer than 1 characters' }],
      },
      undefined,
    );
    expect(invalid.message).toBe('The request body is invalid. (provisioner: 400 VALIDATION_FAILED)\n  /reason: must NOT have fewer than 1 characters');

    expect(explainRefusal('baseliner', 502, '<html>Bad Gateway</html>', undefined).message).toBe('<html>Bad Gateway</html> (baseliner: 502)');
  });
});
