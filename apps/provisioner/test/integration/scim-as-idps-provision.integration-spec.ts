import { randomUUID } from 'node:crypto';

import { waitFor, withTestDatabase } from '@agentgov/test-support';

import { reportedKinds } from '../fixtures/lifecycle-events';
import { ProvisionerHarness } from '../support/provisioner-harness';

/**
 * SCIM 2.0 as Microsoft Entra ID and Okta provision (issue 19): each `describe` is one finding of an integrator,
 * through the real endpoint of the real service. The request bodies are the shapes the vendors publish
 * (Microsoft Learn, "Develop and plan provisioning for a SCIM endpoint": its user requests; Okta developer docs,
 * "SCIM 2.0": create user and update), with unique names in place of their sample values.
 */
const harness = new ProvisionerHarness();
const SCIM = 'application/scim+json';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const AGENT = 'urn:ietf:params:scim:schemas:core:2.0:Agent';
const AGENT_EXTENSION = 'urn:agentgov:params:scim:schemas:extension:agent:2.0:Agent';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

beforeAll(() => harness.start());
afterAll(() => harness.stop());

interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

async function scim(
  method: string,
  path: string,
  body?: unknown,
  options: { contentType?: string; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${await harness.token(['ingest'], 'idp-scim-client')}`, ...options.headers };
  if (body !== undefined || options.raw !== undefined) headers['content-type'] = options.contentType ?? SCIM;
  const response = await fetch(`${harness.url}/scim/v2${path}`, {
    method,
    headers,
    body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

const filter = (expression: string, extra = '') => `/Users?filter=${encodeURIComponent(expression)}${extra}`;
const unique = () => randomUUID().replace(/-/g, '').slice(0, 12);

/** Microsoft Entra ID's create-user request (Microsoft Learn's sample, unique values). */
function entraUser(userName = `Test_User_${randomUUID()}`, externalId: string = randomUUID()) {
  return {
    schemas: [CORE, ENTERPRISE],
    externalId,
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: `Test_User_${unique()}@testuser.com` }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
  };
}

/** Okta's create-user request (Okta's SCIM 2.0 reference sample, unique values). */
function oktaUser(login = `test.user.${unique()}@okta.local`, externalId = `00u${unique()}`) {
  return {
    schemas: [CORE],
    userName: login,
    name: { givenName: 'Test', familyName: 'User' },
    emails: [{ primary: true, value: login, type: 'work' }],
    displayName: 'Test User',
    locale: 'en-US',
    externalId,
    groups: [],
    password: '1mz050nq',
    active: true,
  };
}

async function auditActions(ownerId: string): Promise<string[]> {
  const { rows } = await withTestDatabase((c) =>
    c.query(`SELECT "action" FROM "provisioner"."audit_log" WHERE "subject_type" = 'owner' AND "subject_id" = $1 ORDER BY "seq"`, [ownerId]),
  );
  return rows.map((r) => r.action);
}

function expectScimError(answer: Answer, status: number, scimType?: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toContain(SCIM);
  expect(answer.body).toEqual({ schemas: [ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail: expect.any(String) });
}

describe('an owner registered with POST /owners is the SCIM user its userName shows', () => {
  it('is found by userName (without case) and by its work email, so the IdP matches it instead of creating the person twice', async () => {
    const email = `Owner.${unique()}@Example.com`;
    const owner = await harness.request('POST', '/owners', { email, displayName: 'Registered Owner' });
    expect(owner.status).toBe(201);

    const shown = await scim('GET', `/Users/${owner.body.id}`);
    expect(shown.body).toMatchObject({ id: owner.body.id, userName: email, emails: [{ value: email, type: 'work', primary: true }] });

    for (const expression of [
      `userName eq "${email}"`,
      `userName eq "${email.toLowerCase()}"`,
      `emails[type eq "work"].value eq "${email}"`,
      `emails[value eq "${email.toUpperCase()}"]`,
      `userName eq "nobody.${unique()}@example.com" or userName eq "${email}"`,
      `userName eq "${email}" and emails[type eq "work"].value eq "${email}"`,
    ]) {
      const found = await scim('GET', filter(expression));
      expect({ expression, status: found.status, body: found.body }).toMatchObject({
        expression,
        status: 200,
        body: { schemas: [LIST], totalResults: 1, Resources: [{ id: owner.body.id, userName: email }] },
      });
    }
    const none = await scim('GET', filter(`userName eq "${email}" and externalId eq "not-${unique()}"`));
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });

    // The IdP creates the person only when its filter found nobody: the same userName is the same person.
    const duplicate = await scim('POST', '/Users', oktaUser(email.toLowerCase()));
    expectScimError(duplicate, 409, 'uniqueness');
    expect(duplicate.text).not.toContain(email.toLowerCase());

    // What Okta does with the user it found: a PUT with its profile, which links the userName to the owner.
    const oktaId = `00u${unique()}`;
    const put = await scim('PUT', `/Users/${owner.body.id}`, oktaUser(email, oktaId));
    expect(put).toMatchObject({ status: 200, body: { id: owner.body.id, userName: email, externalId: oktaId, active: true } });
    expect((await scim('GET', filter(`externalId eq "${oktaId}"`))).body).toMatchObject({ totalResults: 1, Resources: [{ id: owner.body.id }] });
  });

  it('refuses the filters it does not support with 400 invalidFilter', async () => {
    for (const expression of ['userName co "a"', 'title eq "x"', 'userName eq', 'userName eq "a" and', 'meta.lastModified gt "2020-01-01T00:00:00Z"']) {
      expectScimError(await scim('GET', filter(expression)), 400, 'invalidFilter');
    }
  });
});

describe('SCIM DELETE deletes the user (RFC 7644 §3.6), and terminates the owner', () => {
  it('answers 404 afterwards to GET, a second DELETE, PATCH and PUT, lists it nowhere, frees its userName, offboards its agents, and keeps its history', async () => {
    const body = entraUser();
    const created = await scim('POST', '/Users', body);
    expect(created.status).toBe(201);
    const id = created.body.id;
    const agent = await harness.request('POST', '/agents', {
      name: 'scim agent',
      ownerId: id,
      purpose: 'crm-sync',
      platform: 'langgraph',
      riskTier: 'medium',
      scopes: [],
    });
    expect(agent.status).toBe(201);

    const deleted = await scim('DELETE', `/Users/${id}`);
    expect(deleted.status).toBe(204);

    expectScimError(await scim('GET', `/Users/${id}`), 404);
    expectScimError(await scim('DELETE', `/Users/${id}`), 404);
    expectScimError(await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }), 404);
    expectScimError(await scim('PUT', `/Users/${id}`, body), 404);
    expect((await scim('GET', filter(`userName eq "${body.userName}"`))).body).toMatchObject({ totalResults: 0, Resources: [] });
    expect((await scim('GET', filter(`externalId eq "${body.externalId}"`))).body).toMatchObject({ totalResults: 0, Resources: [] });
    expect((await scim('GET', filter(`id eq "${id}"`))).body).toMatchObject({ totalResults: 0 });

    // The same userName (and externalId) again is a new user: a new resource, a new owner.
    const again = await scim('POST', '/Users', body);
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(id);
    expect((await scim('GET', filter(`userName eq "${body.userName}"`))).body).toMatchObject({ totalResults: 1, Resources: [{ id: again.body.id }] });

    // To the registry the deletion was the person's termination: reported once, applied, the agents offboarded.
    expect(await reportedKinds(id)).toEqual(['owner.terminated']);
    await waitFor(
      async () => (await harness.request('GET', `/agents/${agent.body.id}`)).body.status,
      (status) => status === 'deprovisioned',
      { timeoutMs: 30000, what: "the deleted user's agent deprovisioned" },
    );
    const owner = await harness.request('GET', `/owners/${id}`);
    expect(owner.body).toMatchObject({ id, status: 'terminated', identities: [] });
    expect(await auditActions(id)).toEqual(
      expect.arrayContaining([
        'owner.created',
        'owner.scim-attributes-changed',
        'owner.lifecycle-reported',
        'owner.identities-changed',
        'owner.scim-user-deleted',
        'owner.terminated',
      ]),
    );
    expect(await reportedKinds(again.body.id)).toEqual([]);
  });
});

describe('the discovery endpoints (RFC 7644 §4) describe what is supported', () => {
  it('serves ServiceProviderConfig, ResourceTypes and Schemas as application/scim+json', async () => {
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.headers.get('content-type')).toContain(SCIM);
    expect(config.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      authenticationSchemes: [{ type: 'oauthbearertoken', primary: true }],
      meta: { resourceType: 'ServiceProviderConfig', location: `${harness.url}/scim/v2/ServiceProviderConfig` },
    });

    const types = await scim('GET', '/ResourceTypes');
    expect(types.body).toMatchObject({
      schemas: [LIST],
      totalResults: 2,
      Resources: [
        { id: 'User', endpoint: '/Users', schema: CORE, schemaExtensions: [{ schema: ENTERPRISE, required: false }], meta: { resourceType: 'ResourceType' } },
        {
          id: 'Agent',
          endpoint: '/Agents',
          schema: AGENT,
          schemaExtensions: [{ schema: AGENT_EXTENSION, required: false }],
          meta: { resourceType: 'ResourceType' },
        },
      ],
    });
    expect((await scim('GET', '/ResourceTypes/User')).body).toEqual(types.body.Resources[0]);

    const schemas = await scim('GET', '/Schemas');
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toEqual([CORE, ENTERPRISE, AGENT, AGENT_EXTENSION]);
    const user = await scim('GET', `/Schemas/${CORE}`);
    expect(user.body.attributes.map((a: { name: string }) => a.name)).toEqual(['userName', 'name', 'displayName', 'active', 'emails', 'phoneNumbers']);
    expect(user.body.attributes[0]).toMatchObject({ name: 'userName', caseExact: false, uniqueness: 'server', required: true });

    expectScimError(await scim('GET', '/Schemas/urn:example:unknown'), 404);
    expectScimError(await scim('GET', `/ResourceTypes?filter=${encodeURIComponent('name eq "User"')}`), 403);
  });
});

describe('every error under /scim/v2 is a SCIM error that does not repeat the request', () => {
  it('answers malformed or oversized application/json, unknown routes and unknown users in the SCIM error schema', async () => {
    const marker = `MARKER${unique()}`;
    const malformed = await scim('POST', '/Users', undefined, { contentType: 'application/json', raw: `{"schemas": ["${marker}", userName: ${marker}}` });
    expectScimError(malformed, 400, 'invalidSyntax');
    expect(malformed.text).not.toContain(marker);

    const malformedScim = await scim('POST', '/Users', undefined, { raw: `{"userName": ${marker}` });
    expectScimError(malformedScim, 400, 'invalidSyntax');
    expect(malformedScim.text).not.toContain(marker);

    const large = await scim('POST', '/Users', undefined, {
      contentType: 'application/json',
      raw: JSON.stringify({ ...oktaUser(), displayName: 'x'.repeat(200_000) }),
    });
    expectScimError(large, 413);

    const unknownId = `unknown-${marker}`;
    const unknown = await scim('GET', `/Users/${unknownId}`);
    expectScimError(unknown, 404);
    expect(unknown.text).not.toContain(marker);

    expectScimError(await scim('GET', '/Groups'), 404);
    expectScimError(await scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'g' }), 404);
    expectScimError(await scim('GET', '/Me'), 501);
    expectScimError(await scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }), 501);

    const badPath = await scim('PATCH', `/Users/${randomUUID()}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: `emails[${marker}`, value: 'x' }],
    });
    expectScimError(badPath, 400, 'invalidPath');
    expect(badPath.text).not.toContain(marker);
  });
});

describe('externalId is not unique (RFC 7643 §3.1)', () => {
  it('creates two users with one externalId, and the filter finds both', async () => {
    const externalId = `shared-${unique()}`;
    const first = await scim('POST', '/Users', oktaUser(undefined, externalId));
    const second = await scim('POST', '/Users', entraUser(undefined, externalId));
    expect([first.status, second.status]).toEqual([201, 201]);

    const found = await scim('GET', filter(`externalId eq "${externalId}"`));
    expect(found.body.totalResults).toBe(2);
    expect(found.body.Resources.map((r: { id: string }) => r.id).sort()).toEqual([first.body.id, second.body.id].sort());
    // externalId is compared with case (caseExact true).
    expect((await scim('GET', filter(`externalId eq "${externalId.toUpperCase()}"`))).body.totalResults).toBe(0);
  });
});

describe("a user's name is kept", () => {
  it("keeps name.givenName and familyName through POST, PUT and Entra ID's PATCH", async () => {
    const created = await scim('POST', '/Users', oktaUser());
    expect(created.body.name).toEqual({ givenName: 'Test', familyName: 'User' });

    const replacement = {
      ...oktaUser(created.body.userName, created.body.externalId),
      name: { givenName: 'Jane', familyName: 'Doe', middleName: 'Q', honorificPrefix: 'Dr.' },
    };
    const replaced = await scim('PUT', `/Users/${created.body.id}`, replacement);
    expect(replaced.body.name).toEqual({ givenName: 'Jane', familyName: 'Doe', middleName: 'Q', honorificPrefix: 'Dr.' });
    expect((await scim('GET', `/Users/${created.body.id}`)).body.name).toEqual(replaced.body.name);

    const patched = await scim('PATCH', `/Users/${created.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Remove', path: 'name.middleName' },
      ],
    });
    expect(patched.body.name).toEqual({ givenName: 'Jane', familyName: 'updatedFamilyName', honorificPrefix: 'Dr.' });
    expect((await scim('GET', `/Users/${created.body.id}`)).body.name).toEqual(patched.body.name);
  });
});

describe('attributes and excludedAttributes (RFC 7644 §3.9)', () => {
  it('shape the answers of GET, POST, PUT and PATCH; id and schemas are always returned', async () => {
    const user = oktaUser();
    const created = await scim('POST', '/Users?attributes=userName', user);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ schemas: [CORE], id: expect.any(String), userName: user.userName });
    const id = created.body.id;

    expect((await scim('GET', `/Users/${id}?attributes=name.givenName,emails.value`)).body).toEqual({
      schemas: [CORE],
      id,
      name: { givenName: 'Test' },
      emails: [{ value: user.userName }],
    });
    const without = await scim('GET', `/Users/${id}?excludedAttributes=emails,meta,name,id`);
    expect(without.body).toEqual({ schemas: [CORE], id, externalId: user.externalId, userName: user.userName, displayName: 'Test User', active: true });

    const listed = await scim('GET', filter(`userName eq "${user.userName}"`, '&attributes=userName,active'));
    expect(listed.body.Resources).toEqual([{ schemas: [CORE], id, userName: user.userName, active: true }]);

    const replaced = await scim('PUT', `/Users/${id}?excludedAttributes=name,emails,meta`, user);
    expect(Object.keys(replaced.body).sort()).toEqual(['active', 'displayName', 'externalId', 'id', 'schemas', 'userName']);

    const patched = await scim('PATCH', `/Users/${id}?attributes=displayName`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'displayName', value: 'Renamed' }],
    });
    expect(patched.body).toEqual({ schemas: [CORE], id, displayName: 'Renamed' });
  });
});

describe('pagination, meta and active', () => {
  it('pages with startIndex and count over totalResults, as RFC 7644 §3.4.2.4 reads them', async () => {
    const externalId = `page-${unique()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await scim('POST', '/Users', oktaUser(undefined, externalId))).body.id);
    ids.sort();
    const page = (query: string) => scim('GET', filter(`externalId eq "${externalId}"`, query));

    expect((await page('&startIndex=1&count=2')).body).toMatchObject({
      totalResults: 3,
      startIndex: 1,
      itemsPerPage: 2,
      Resources: [{ id: ids[0] }, { id: ids[1] }],
    });
    expect((await page('&startIndex=3&count=2')).body).toMatchObject({ totalResults: 3, startIndex: 3, itemsPerPage: 1, Resources: [{ id: ids[2] }] });
    expect((await page('&count=0')).body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    expect((await page('&startIndex=0&count=1')).body).toMatchObject({ startIndex: 1, Resources: [{ id: ids[0] }] });
    expect((await page('&count=-5')).body).toMatchObject({ totalResults: 3, itemsPerPage: 0 });
    expect((await page('&startIndex=9')).body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    expectScimError(await page('&count=many'), 400, 'invalidValue');
  });

  it('carries meta with an ETag the client can make its writes conditional on', async () => {
    const created = await scim('POST', '/Users', entraUser());
    const id = created.body.id;
    expect(created.body.meta).toEqual({
      resourceType: 'User',
      created: expect.any(String),
      lastModified: expect.any(String),
      location: `${harness.url}/scim/v2/Users/${id}`,
      version: expect.stringMatching(/^W\/"[\w-]+"$/),
    });
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.headers.get('etag')).toBe(created.body.meta.version);

    const read = await scim('GET', `/Users/${id}`);
    expect(read.headers.get('etag')).toBe(created.body.meta.version);
    expect((await scim('GET', `/Users/${id}`, undefined, { headers: { 'if-none-match': created.body.meta.version } })).status).toBe(304);

    const rename = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Renamed' }] };
    const renamed = await scim('PATCH', `/Users/${id}`, rename, { headers: { 'if-match': created.body.meta.version } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.meta.version).not.toBe(created.body.meta.version);
    expectScimError(await scim('PATCH', `/Users/${id}`, rename, { headers: { 'if-match': created.body.meta.version } }), 412);
    expectScimError(await scim('DELETE', `/Users/${id}`, undefined, { headers: { 'if-match': created.body.meta.version } }), 412);
    expect((await scim('DELETE', `/Users/${id}`, undefined, { headers: { 'if-match': renamed.body.meta.version } })).status).toBe(204);
  });

  it('shows the active it was asked for at once, and active still terminates and reinstates the owner', async () => {
    const created = await scim('POST', '/Users', entraUser());
    const id = created.body.id;
    const disable = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] };

    const disabled = await scim('PATCH', `/Users/${id}`, disable);
    expect(disabled.body.active).toBe(false);
    expect(disabled.body.meta.lastModified >= created.body.meta.lastModified).toBe(true);
    // Microsoft's SCIM validator reads the user back by filter right after disabling it.
    expect((await scim('GET', filter(`userName eq "${created.body.userName}"`))).body.Resources[0].active).toBe(false);
    await waitFor(
      async () => (await harness.request('GET', `/owners/${id}`)).body.status,
      (status) => status === 'terminated',
      { timeoutMs: 30000, what: 'the owner terminated' },
    );
    expect((await scim('GET', `/Users/${id}`)).body.active).toBe(false);

    const enabled = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
    expect(enabled.body.active).toBe(true);
    await waitFor(
      async () => (await harness.request('GET', `/owners/${id}`)).body.status,
      (status) => status === 'active',
      { timeoutMs: 30000, what: 'the owner reinstated' },
    );
    expect(await reportedKinds(id)).toEqual(['owner.terminated', 'owner.reinstated']);
  });
});
