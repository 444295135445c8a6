import { randomUUID } from 'node:crypto';

import { Role } from '@agentgov/auth';

import { lifecycleEvents, realWorld, reportedKinds } from '../fixtures/lifecycle-events';
import { ProvisionerHarness } from '../support/provisioner-harness';

const harness = new ProvisionerHarness();
const SCIM = 'application/scim+json';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const OKTA_DEACTIVATION = realWorld('scim/okta-style.patch-active-false.json');

beforeAll(() => harness.start());
afterAll(() => harness.stop());

async function scim(method: string, path: string, body?: unknown, options: { roles?: Role[] | null; contentType?: string; raw?: string } = {}) {
  const roles = options.roles === undefined ? ['ingest' as Role] : options.roles;
  const headers: Record<string, string> = {};
  if (roles) headers.authorization = `Bearer ${await harness.token(roles, 'okta-scim-client')}`;
  if (body !== undefined || options.raw !== undefined) headers['content-type'] = options.contentType ?? SCIM;
  const response = await fetch(`${harness.url}/scim/v2${path}`, {
    method,
    headers,
    body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

function user(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName,
    externalId: `00u${randomUUID().replace(/-/g, '').slice(0, 17)}`,
    name: { givenName: 'Jane', familyName: 'Smith' },
    emails: [{ value: userName, type: 'work', primary: true }],
    phoneNumbers: [{ value: '+1 (206) 555-0199', type: 'mobile' }],
    active: true,
    [ENTERPRISE]: { manager: { value: 'mgr-42' }, department: 'Payments' },
    ...extra,
  };
}

describe('SCIM 2.0 Users', () => {
  it('creates an owner from a User, finds it by userName filter, and serves the resource as application/scim+json', async () => {
    const userName = `Jane.${randomUUID()}@Example.com`;
    const created = await scim('POST', '/Users', user(userName));

    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain(SCIM);
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.body).toMatchObject({
      userName,
      active: true,
      displayName: 'Jane Smith',
      emails: [{ value: userName, primary: true }],
      phoneNumbers: [{ value: '+12065550199' }],
      [ENTERPRISE]: { manager: { value: 'mgr-42' }, department: 'Payments' },
      meta: { resourceType: 'User', version: expect.stringMatching(/^W\/"/) },
    });
    const owner = await harness.request('GET', `/owners/${created.body.id}`);
    expect(owner.body).toMatchObject({ email: userName, phone: '+12065550199', managerId: 'mgr-42', team: 'Payments', status: 'active' });

    const found = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName.toLowerCase()}"`)}`);
    expect(found.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      Resources: [{ id: created.body.id }],
    });
    const none = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    expect((await scim('GET', `/Users/${created.body.id}`)).body).toEqual(created.body);

    const again = await scim('POST', '/Users', user(userName.toUpperCase()));
    expect(again).toMatchObject({ status: 409, body: { schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness' } });
  });

  it('refuses bad requests in the SCIM error schema and reports nothing', async () => {
    const { body: created } = await scim('POST', '/Users', user(`bad.${randomUUID()}@example.com`));
    const id = created.id;

    const unknown = await scim('GET', `/Users/${randomUUID()}`);
    const noToken = await scim('PATCH', `/Users/${id}`, OKTA_DEACTIVATION, { roles: null });
    const wrongRole = await scim('PATCH', `/Users/${id}`, OKTA_DEACTIVATION, { roles: ['reviewer'] });
    const wrongType = await scim('PATCH', `/Users/${id}`, undefined, { raw: JSON.stringify(OKTA_DEACTIVATION), contentType: 'text/plain' });
    const notJson = await scim('PATCH', `/Users/${id}`, undefined, { raw: '{"schemas": [' });
    const badValue = await scim('PATCH', `/Users/${id}`, { ...OKTA_DEACTIVATION, Operations: [{ op: 'replace', path: 'active', value: 'nope' }] });
    const badOp = await scim('PATCH', `/Users/${id}`, { ...OKTA_DEACTIVATION, Operations: [{ op: 'deactivate', path: 'active', value: false }] });
    const badFilter = await scim('GET', `/Users?filter=${encodeURIComponent('title co "x"')}`);
    const unknownPatch = await scim('PATCH', `/Users/${randomUUID()}`, OKTA_DEACTIVATION);

    expect(unknown).toMatchObject({ status: 404, body: { schemas: [ERROR_SCHEMA], status: '404' } });
    expect(unknown.headers.get('content-type')).toContain(SCIM);
    expect(noToken).toMatchObject({ status: 401, body: { schemas: [ERROR_SCHEMA], status: '401' } });
    expect(wrongRole).toMatchObject({ status: 403, body: { status: '403' } });
    expect(wrongType).toMatchObject({ status: 415, body: { status: '415' } });
    expect(notJson).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
    expect(badValue).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    expect(badOp).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
    expect(badFilter).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
    expect(unknownPatch).toMatchObject({ status: 404, body: { status: '404' } });
    expect(await reportedKinds(id)).toEqual([]);
  });

  it('turns Okta\'s published deactivation PATCH into owner.terminated once, Entra\'s "True" into owner.reinstated, DELETE into owner.terminated', async () => {
    const { body: created } = await scim('POST', '/Users', user(`leaver.${randomUUID()}@example.com`));
    const id = created.id;

    const deactivated = await scim('PATCH', `/Users/${id}`, OKTA_DEACTIVATION);
    const retried = await scim('PATCH', `/Users/${id}`, OKTA_DEACTIVATION);
    const reactivated = await scim('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
    });
    const deleted = await scim('DELETE', `/Users/${id}`);
    const deletedAgain = await scim('DELETE', `/Users/${id}`);

    expect(deactivated).toMatchObject({ status: 200, body: { id, active: false } });
    expect(deactivated.headers.get('content-type')).toContain(SCIM);
    expect(retried).toMatchObject({ status: 200, body: { active: false } });
    expect(reactivated).toMatchObject({ status: 200, body: { active: true } });
    // The first DELETE deleted the user (RFC 7644 §3.6): the second finds nothing, and reports nothing.
    expect([deleted.status, deletedAgain.status]).toEqual([204, 404]);

    const events = (await lifecycleEvents(harness, 3)).filter((e) => e.key === id);
    expect(events.map((e) => e.data.kind)).toEqual(['owner.terminated', 'owner.reinstated', 'owner.terminated']);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(events[0].data).toEqual({
      kind: 'owner.terminated',
      ownerId: id,
      externalId: created.externalId,
      source: 'scim',
      occurredAt: expect.any(String),
      reason: 'SCIM PATCH set active to false',
      // The registry adds the manager it knows, for whoever must now review the owner's agents.
      managerId: 'mgr-42',
    });
  });

  it('replaces a User with PUT: profile changes are applied, an unchanged active reports nothing', async () => {
    const { body: created } = await scim('POST', '/Users', user(`mover.${randomUUID()}@example.com`));
    const replacement = { ...user(created.userName), externalId: created.externalId, [ENTERPRISE]: { department: 'Risk' } };

    const replaced = await scim('PUT', `/Users/${created.id}`, replacement);

    expect(replaced).toMatchObject({ status: 200, body: { active: true, [ENTERPRISE]: { department: 'Risk' } } });
    expect(replaced.body[ENTERPRISE].manager).toBeUndefined();
    expect(await reportedKinds(created.id)).toEqual([]);
  });
});
