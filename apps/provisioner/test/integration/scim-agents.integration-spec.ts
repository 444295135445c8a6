import { randomUUID } from 'node:crypto';

import { Topics } from '@agentgov/contracts';
import { uniqueName, waitFor, withTestDatabase } from '@agentgov/test-support';

import { ProvisionerHarness } from '../support/provisioner-harness';

/**
 * SCIM Agents (draft-wzdk-scim-agent-resource-00) as an identity provider that manages agent identities uses them
 * (issue 19), through the real /scim/v2/Agents of the real service, checked through the registry's own API, its
 * audit trail and the agent.lifecycle.v1 events it emits. The Agent bodies have the shape of the draft's: schema
 * urn:ietf:params:scim:schemas:core:2.0:Agent, externalId from the IdP, agentUserName, displayName, description,
 * active, and owners referencing a User by value and $ref.
 */
const SCIM = 'application/scim+json';
const AGENT = 'urn:ietf:params:scim:schemas:core:2.0:Agent';
const REGISTRY = 'urn:agentgov:params:scim:schemas:extension:agent:2.0:Agent';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const IDP = 'idp-agent-scim-client';

interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

const unique = () => randomUUID().replace(/-/g, '').slice(0, 12);
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

function scimClient(harness: ProvisionerHarness) {
  return async (method: string, path: string, body?: unknown, options: { headers?: Record<string, string>; raw?: string } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${await harness.token(['ingest'], IDP)}`, ...options.headers };
    if (body !== undefined || options.raw !== undefined) headers['content-type'] = SCIM;
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
  };
}

function expectScimError(answer: Answer, status: number, scimType?: string): void {
  expect({ status: answer.status, contentType: answer.headers.get('content-type'), body: answer.body }).toEqual({
    status,
    contentType: expect.stringContaining(SCIM),
    body: { schemas: [ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail: expect.any(String) },
  });
}

/**
 * The kinds of every agent.lifecycle.v1 the service emitted for this agent, in order, read from the broker once
 * those expected have all arrived (and a moment more, so that an unexpected extra one shows too).
 */
async function lifecycleKinds(harness: ProvisionerHarness, agentId: string, expected: string[]): Promise<string[]> {
  const consumer = harness.kafka.consumer({ groupId: uniqueName('scim-agents'), maxWaitTimeInMs: 100 });
  const kinds: string[] = [];
  let arrived: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (arrived = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: harness.topic(Topics.AgentLifecycle), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = JSON.parse(message.value?.toString('utf8') ?? '{}');
        if (event.agentId !== agentId) return;
        kinds.push(event.kind);
        if (expected.every((kind) => kinds.includes(kind))) arrived();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, 30000)))]);
    clearTimeout(timer);
    await new Promise((resolve) => setTimeout(resolve, 500));
  } finally {
    await consumer.disconnect();
  }
  return kinds;
}

async function auditActions(agentId: string): Promise<string[]> {
  const { rows } = await withTestDatabase((c) =>
    c.query(`SELECT "action" FROM "provisioner"."audit_log" WHERE "subject_type" = 'agent' AND "subject_id" = $1 ORDER BY "seq"`, [agentId]),
  );
  return rows.map((r) => r.action);
}

describe('an identity provider manages agents over SCIM (draft-wzdk-scim-agent-resource-00)', () => {
  const harness = new ProvisionerHarness();
  const scim = scimClient(harness);
  let ownerId: string;
  let otherOwnerId: string;

  /** An owner, as the IdP provisions its users: a SCIM User. */
  async function user(): Promise<string> {
    const login = `owner.${unique()}@idp.example`;
    const created = await scim('POST', '/Users', {
      schemas: [USER],
      userName: login,
      displayName: 'Agent Owner',
      emails: [{ value: login, type: 'work', primary: true }],
      active: true,
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  /** The draft's Agent shape, owned by `owner` (by value and $ref), with unique names. */
  function agentBody(owner: string, extra: Record<string, unknown> = {}): Record<string, any> {
    const name = unique();
    return {
      schemas: [AGENT],
      externalId: `agent-${name}`,
      agentUserName: `support-agent-${name}`,
      displayName: `Support Agent ${name}`,
      description: 'Answers support tickets',
      active: true,
      owners: [{ value: owner, $ref: `${harness.url}/scim/v2/Users/${owner}`, type: 'User' }],
      ...extra,
    };
  }

  async function createAgent(body: Record<string, unknown>): Promise<any> {
    const created = await scim('POST', '/Agents', body);
    expect({ status: created.status, body: created.body }).toMatchObject({ status: 201 });
    return created.body;
  }

  const registry = async (agentId: string) => (await harness.request('GET', `/agents/${agentId}`, undefined, ['reviewer'])).body;

  beforeAll(async () => {
    await harness.start();
    ownerId = await user();
    otherOwnerId = await user();
  }, 60000);
  afterAll(() => harness.stop());

  it('creates the agent in the registry with the owner its owners reference names, and never returns a client secret', async () => {
    const body = agentBody(ownerId);
    const created = await scim('POST', '/Agents', body);

    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toContain(SCIM);
    const id = created.body.id;
    expect(created.body).toEqual({
      schemas: [AGENT, REGISTRY],
      id,
      externalId: body.externalId,
      agentUserName: body.agentUserName,
      displayName: body.displayName,
      description: 'Answers support tickets',
      active: true,
      owners: [{ value: ownerId, $ref: `${harness.url}/scim/v2/Users/${ownerId}`, display: 'Agent Owner', type: 'User' }],
      [REGISTRY]: { riskTier: 'medium', scopes: [], platform: 'unspecified', status: 'active' },
      meta: {
        resourceType: 'Agent',
        created: expect.any(String),
        lastModified: expect.any(String),
        location: `${harness.url}/scim/v2/Agents/${id}`,
        version: expect.stringMatching(/^W\/"[\w-]+"$/),
      },
    });
    expect(created.headers.get('location')).toBe(created.body.meta.location);
    expect(created.headers.get('etag')).toBe(created.body.meta.version);
    expect(created.text).not.toMatch(/secret/i);

    // The registry's view, through its own API: the agent, its owner, created by the IdP's client.
    expect(await registry(id)).toMatchObject({
      id,
      name: body.displayName,
      ownerId,
      parentAgentId: null,
      purpose: 'Answers support tickets',
      platform: 'unspecified',
      riskTier: 'medium',
      scopes: [],
      status: 'active',
      createdBy: IDP,
    });
    expect(await lifecycleKinds(harness, id, ['agent.registered'])).toEqual(['agent.registered']);
    expect(await auditActions(id)).toEqual(['agent.registered', 'agent.scim-attributes-changed']);
    const [row] = (await withTestDatabase((c) => c.query(`SELECT "client_secret_hash" FROM "provisioner"."agents" WHERE "id" = $1`, [id]))).rows;
    expect(row.client_secret_hash).toMatch(/^sha256\$/);

    expect((await scim('GET', `/Agents/${id}`)).body).toEqual(created.body);
  });

  it("takes the registry's attributes from its extension: risk tier, scopes, platform, expiry, and a sub-agent's parent", async () => {
    const parent = await createAgent(
      agentBody(ownerId, { [REGISTRY]: { riskTier: 'high', scopes: ['tickets.read', 'tickets.write'], platform: 'langgraph', expiresAt: inDays(30) } }),
    );
    expect(await registry(parent.id)).toMatchObject({ riskTier: 'high', scopes: ['tickets.read', 'tickets.write'], platform: 'langgraph', depth: 0 });

    // A sub-agent names its parent; its owner defaults to the parent's, as in the registry.
    const { owners: _owners, ...withoutOwners } = agentBody(ownerId);
    void _owners;
    const child = await createAgent({ ...withoutOwners, [REGISTRY]: { parent: { value: parent.id }, scopes: ['tickets.read'], expiresAt: inDays(10) } });
    expect(child[REGISTRY]).toMatchObject({ parent: { value: parent.id, $ref: `${harness.url}/scim/v2/Agents/${parent.id}` }, scopes: ['tickets.read'] });
    expect(await registry(child.id)).toMatchObject({ parentAgentId: parent.id, ownerId, depth: 1, scopes: ['tickets.read'] });
  });

  it('refuses what the registry refuses as SCIM errors that do not repeat the request, and registers nothing', async () => {
    const marker = `MARKER${unique()}`;
    const parent = await createAgent(agentBody(ownerId, { [REGISTRY]: { scopes: ['tickets.read'], expiresAt: inDays(5) } }));
    const deletedUser = await user();
    expect((await scim('DELETE', `/Users/${deletedUser}`)).status).toBe(204);
    const groupRef = { value: ownerId, $ref: `${harness.url}/scim/v2/Groups/${ownerId}` };

    const refusals: Array<[string, Record<string, unknown>, number, string]> = [
      ['an unknown owner', agentBody(`nobody-${marker}`), 400, 'invalidValue'],
      ['an owner the IdP deleted', agentBody(deletedUser), 400, 'invalidValue'],
      ['a group as owner', { ...agentBody(ownerId), owners: [{ ...groupRef, type: 'Group' }] }, 400, 'invalidValue'],
      ['a $ref to a group', { ...agentBody(ownerId), owners: [{ $ref: groupRef.$ref }] }, 400, 'invalidValue'],
      ['two owners', { ...agentBody(ownerId), owners: [{ value: ownerId }, { value: otherOwnerId }] }, 400, 'invalidValue'],
      ['no owners', { ...agentBody(ownerId), owners: [] }, 400, 'invalidValue'],
      ['owners left out of a top-level agent', { ...agentBody(ownerId), owners: undefined }, 400, 'invalidValue'],
      ['value and $ref naming different users', { ...agentBody(ownerId), owners: [{ value: ownerId, $ref: `../Users/${otherOwnerId}` }] }, 400, 'invalidValue'],
      ['neither agentUserName nor displayName', { ...agentBody(ownerId), agentUserName: undefined, displayName: undefined }, 400, 'invalidValue'],
      [
        'scopes beyond the parent',
        agentBody(ownerId, { [REGISTRY]: { parent: { value: parent.id }, scopes: [`payments.${marker}`], expiresAt: inDays(1) } }),
        400,
        'invalidValue',
      ],
      ['a sub-agent outliving its parent', agentBody(ownerId, { [REGISTRY]: { parent: { value: parent.id }, scopes: [] } }), 400, 'invalidValue'],
      ['an unknown parent', agentBody(ownerId, { [REGISTRY]: { parent: { value: randomUUID() } } }), 400, 'invalidValue'],
      ['an expiry in the past', agentBody(ownerId, { [REGISTRY]: { expiresAt: inDays(-1) } }), 400, 'invalidValue'],
      ['an unknown risk tier', agentBody(ownerId, { [REGISTRY]: { riskTier: marker } }), 400, 'invalidValue'],
      ['the User schema', { ...agentBody(ownerId), schemas: [USER] }, 400, 'invalidSyntax'],
    ];
    for (const [why, body, status, scimType] of refusals) {
      const answer = await scim('POST', '/Agents', body);
      expect({ why, status: answer.status, body: answer.body }).toEqual({
        why,
        status,
        body: { schemas: [ERROR], status: String(status), scimType, detail: expect.any(String) },
      });
      expect(answer.headers.get('content-type')).toContain(SCIM);
      expect(answer.text).not.toContain(marker);
      expect(answer.text).not.toContain(deletedUser);
      const names = [body.displayName, body.agentUserName].filter((n): n is string => typeof n === 'string');
      const { rows } = await withTestDatabase((c) => c.query(`SELECT 1 FROM "provisioner"."agents" WHERE "name" = ANY($1::text[])`, [names]));
      expect({ why, registered: rows.length }).toEqual({ why, registered: 0 });
    }

    // An owner the IdP has just deactivated: refused before the lifecycle consumer has even applied it.
    const leaving = await user();
    await scim('PATCH', `/Users/${leaving}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expectScimError(await scim('POST', '/Agents', agentBody(leaving)), 400, 'invalidValue');

    // agentUserName is unique among live agents regardless of case.
    const taken = await createAgent(agentBody(ownerId));
    expectScimError(await scim('POST', '/Agents', { ...agentBody(ownerId), agentUserName: taken.agentUserName.toUpperCase() }), 409, 'uniqueness');
  });

  it('finds agents by displayName, externalId, agentUserName and owner, and refuses other filters', async () => {
    const owner = await user();
    const first = await createAgent(agentBody(owner));
    const second = await createAgent(agentBody(owner));
    const find = async (expression: string) => (await scim('GET', `/Agents?filter=${encodeURIComponent(expression)}`)).body;

    for (const [expression, ids] of [
      [`displayName eq "${first.displayName}"`, [first.id]],
      [`displayName eq "${first.displayName.toUpperCase()}"`, [first.id]],
      [`externalId eq "${second.externalId}"`, [second.id]],
      [`agentUserName eq "${first.agentUserName.toUpperCase()}"`, [first.id]],
      [`owners.value eq "${owner}"`, [first.id, second.id].sort()],
      [`owners[value eq "${owner}"]`, [first.id, second.id].sort()],
      [`owners[value eq "${owner}" and type eq "User"] and not (externalId eq "${second.externalId}")`, [first.id]],
      [`urn:ietf:params:scim:schemas:core:2.0:Agent:displayName eq "${second.displayName}"`, [second.id]],
      [`displayName eq "nobody ${unique()}"`, []],
    ] as Array<[string, string[]]>) {
      const found = await find(expression);
      expect({ expression, found }).toMatchObject({
        expression,
        found: { schemas: [LIST], totalResults: ids.length, Resources: ids.map((id) => expect.objectContaining({ id })) },
      });
    }
    for (const expression of ['displayName co "Support"', 'description eq "x"', `${REGISTRY}:riskTier eq "high"`, 'owners.display eq "x"']) {
      expectScimError(await scim('GET', `/Agents?filter=${encodeURIComponent(expression)}`), 400, 'invalidFilter');
    }
  });

  it('suspends the agent and its sub-agents on PATCH active false, with their lifecycle events, and lifts that suspension on true', async () => {
    const parent = await createAgent(agentBody(ownerId, { [REGISTRY]: { scopes: ['a'] } }));
    const { owners: _owners, ...child } = agentBody(ownerId);
    void _owners;
    const sub = await createAgent({ ...child, [REGISTRY]: { parent: { value: parent.id }, scopes: ['a'] } });

    // Microsoft Entra ID's PATCH form: op and boolean in its letter case.
    const disabled = await scim('PATCH', `/Agents/${parent.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ active: false, [REGISTRY]: { status: 'suspended' } });
    expect(await registry(parent.id)).toMatchObject({ status: 'suspended', statusReason: `SCIM client ${IDP} set active to false` });
    expect(await registry(sub.id)).toMatchObject({ status: 'suspended' });
    expect((await scim('GET', `/Agents/${sub.id}`)).body.active).toBe(false);
    expect(await lifecycleKinds(harness, parent.id, ['agent.suspended'])).toEqual(['agent.registered', 'agent.suspended']);
    expect(await lifecycleKinds(harness, sub.id, ['agent.suspended'])).toEqual(['agent.registered', 'agent.suspended']);

    // The sub-agent was suspended with its parent: only the parent's reactivation lifts it.
    expectScimError(
      await scim('PATCH', `/Agents/${sub.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }),
      400,
      'invalidValue',
    );

    // Okta's PATCH form: no path, an object of attributes.
    const enabled = await scim('PATCH', `/Agents/${parent.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(enabled.body.active).toBe(true);
    expect(await registry(parent.id)).toMatchObject({ status: 'active' });
    expect(await registry(sub.id)).toMatchObject({ status: 'active' });
    expect(await lifecycleKinds(harness, parent.id, ['agent.reactivated'])).toEqual(['agent.registered', 'agent.suspended', 'agent.reactivated']);

    // A suspension SCIM did not make is not SCIM's to lift.
    const contained = await createAgent(agentBody(ownerId));
    expect((await harness.request('POST', `/agents/${contained.id}/suspend`, { reason: 'investigating' }, ['soc-analyst'])).status).toBe(200);
    const refused = await scim('PATCH', `/Agents/${contained.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] });
    expectScimError(refused, 400, 'invalidValue');
    expect(refused.text).not.toContain('investigating');
    expect(await registry(contained.id)).toMatchObject({ status: 'suspended' });
    // Deactivating it over SCIM as well changes nothing, and is no error.
    expect(
      (await scim('PATCH', `/Agents/${contained.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] })).status,
    ).toBe(200);
  });

  it('applies PUT and PATCH through the registry: name, description, extension, owner; immutable attributes stay', async () => {
    const body = agentBody(ownerId, { [REGISTRY]: { riskTier: 'low', scopes: ['x', 'y'] } });
    const created = await createAgent(body);
    const id = created.id;

    // PUT without the extension: the IdP does not assert the registry's attributes, which stay as they are.
    const replaced = await scim('PUT', `/Agents/${id}`, { ...body, displayName: 'Renamed Agent', description: 'Triage only' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ displayName: 'Renamed Agent', description: 'Triage only', [REGISTRY]: { riskTier: 'low', scopes: ['x', 'y'] } });
    expect(await registry(id)).toMatchObject({ name: 'Renamed Agent', purpose: 'Triage only', riskTier: 'low', scopes: ['x', 'y'] });
    expect(await lifecycleKinds(harness, id, ['agent.updated'])).toContain('agent.updated');

    const patched = await scim('PATCH', `/Agents/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: `${REGISTRY}:riskTier`, value: 'critical' },
        { op: 'remove', path: `${REGISTRY}:scopes[value eq "y"]` },
        { op: 'remove', path: 'description' },
        { op: 'replace', path: 'owners', value: [{ value: otherOwnerId }] },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.body.description).toBeUndefined();
    expect(patched.body.owners).toEqual([expect.objectContaining({ value: otherOwnerId, type: 'User' })]);
    expect(await registry(id)).toMatchObject({ riskTier: 'critical', scopes: ['x'], ownerId: otherOwnerId });
    expect(await lifecycleKinds(harness, id, ['agent.owner-changed', 'agent.scopes-changed'])).toEqual(
      expect.arrayContaining(['agent.owner-changed', 'agent.scopes-changed']),
    );

    const immutable = await scim('PUT', `/Agents/${id}`, { ...body, [REGISTRY]: { platform: 'crewai' } });
    expectScimError(immutable, 400, 'mutability');
    expectScimError(await scim('PATCH', `/Agents/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'owners' }] }), 400, 'invalidValue');
    expectScimError(
      await scim('PATCH', `/Agents/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'owners', value: [{ value: ownerId }] }] }),
      400,
      'invalidValue',
    );
    expectScimError(
      await scim('PATCH', `/Agents/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${REGISTRY}:status`, value: 'active' }] }),
      400,
      'mutability',
    );
    expectScimError(
      await scim('PATCH', `/Agents/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'owners', value: [{ value: `nobody-${unique()}` }] }] }),
      400,
      'invalidValue',
    );
    expect(await registry(id)).toMatchObject({ ownerId: otherOwnerId, platform: 'unspecified' });
  });

  it('deletes the agent (RFC 7644 §3.6): deprovisioned in the registry with its sub-agents, 404 afterwards, its agentUserName free', async () => {
    const body = agentBody(ownerId, { [REGISTRY]: { scopes: ['a'] } });
    const agent = await createAgent(body);
    const { owners: _owners, ...child } = agentBody(ownerId);
    void _owners;
    const sub = await createAgent({ ...child, [REGISTRY]: { parent: { value: agent.id }, scopes: ['a'] } });

    expect((await scim('DELETE', `/Agents/${agent.id}`)).status).toBe(204);

    expect(await registry(agent.id)).toMatchObject({ status: 'deprovisioned' });
    expect(await registry(sub.id)).toMatchObject({ status: 'deprovisioned' });
    expect(await lifecycleKinds(harness, agent.id, ['agent.deprovisioned'])).toEqual(['agent.registered', 'agent.deprovisioned']);
    expectScimError(await scim('GET', `/Agents/${agent.id}`), 404);
    expectScimError(await scim('DELETE', `/Agents/${agent.id}`), 404);
    expectScimError(await scim('PUT', `/Agents/${agent.id}`, body), 404);
    expectScimError(await scim('PATCH', `/Agents/${agent.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] }), 404);
    expect((await scim('GET', `/Agents?filter=${encodeURIComponent(`externalId eq "${body.externalId}"`)}`)).body.totalResults).toBe(0);
    expect(await auditActions(agent.id)).toEqual(expect.arrayContaining(['agent.deprovisioned', 'agent.scim-agent-deleted']));
    // The sub-agent stays a SCIM resource, inactive.
    expect((await scim('GET', `/Agents/${sub.id}`)).body).toMatchObject({ active: false, [REGISTRY]: { status: 'deprovisioned' } });

    const again = await createAgent(body);
    expect(again.id).not.toBe(agent.id);
  });

  it('shapes answers with attributes and excludedAttributes, pages lists, and versions agents with ETags as Users do', async () => {
    const externalId = `page-${unique()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createAgent({ ...agentBody(ownerId), externalId })).id);
    ids.sort();
    const page = (query: string) => scim('GET', `/Agents?filter=${encodeURIComponent(`externalId eq "${externalId}"`)}${query}`);

    expect((await page('&startIndex=2&count=1')).body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1, Resources: [{ id: ids[1] }] });
    expect((await page('&count=0')).body).toMatchObject({ totalResults: 3, itemsPerPage: 0, Resources: [] });
    expect((await page('&attributes=displayName')).body.Resources[0]).toEqual({ schemas: [AGENT], id: ids[0], displayName: expect.any(String) });
    expectScimError(await page('&count=many'), 400, 'invalidValue');

    const id = ids[0];
    expect((await scim('GET', `/Agents/${id}?attributes=owners.value,${REGISTRY}:riskTier`)).body).toEqual({
      schemas: [AGENT, REGISTRY],
      id,
      owners: [{ value: ownerId }],
      [REGISTRY]: { riskTier: 'medium' },
    });
    const without = await scim('GET', `/Agents/${id}?excludedAttributes=meta,owners,${REGISTRY},urn:ietf:params:scim:schemas:core:2.0:Agent:description`);
    expect(Object.keys(without.body).sort()).toEqual(['active', 'agentUserName', 'displayName', 'externalId', 'id', 'schemas']);
    expect(without.body.schemas).toEqual([AGENT]);

    const read = await scim('GET', `/Agents/${id}`);
    const version = read.headers.get('etag')!;
    expect((await scim('GET', `/Agents/${id}`, undefined, { headers: { 'if-none-match': version } })).status).toBe(304);
    const rename = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: `Renamed ${unique()}` }] };
    const renamed = await scim('PATCH', `/Agents/${id}`, rename, { headers: { 'if-match': version } });
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get('etag')).not.toBe(version);
    expectScimError(await scim('PATCH', `/Agents/${id}`, rename, { headers: { 'if-match': version } }), 412);
    expectScimError(await scim('DELETE', `/Agents/${id}`, undefined, { headers: { 'if-match': version } }), 412);

    expectScimError(await scim('GET', '/Agents/not-an-agent-id'), 404);
    const malformed = await scim('POST', '/Agents', undefined, { raw: `{"schemas": ["${AGENT}"], "displayName": MARKER` });
    expectScimError(malformed, 400, 'invalidSyntax');
    expect(malformed.text).not.toContain('MARKER');
  });

  it('describes the Agent resource type and its schemas at the discovery endpoints', async () => {
    const types = await scim('GET', '/ResourceTypes');
    expect(types.body.Resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'Agent', name: 'Agent', endpoint: '/Agents', schema: AGENT, schemaExtensions: [{ schema: REGISTRY, required: false }] }),
      ]),
    );
    expect((await scim('GET', '/ResourceTypes/Agent')).body).toMatchObject({ id: 'Agent', endpoint: '/Agents' });
    const schemas = (await scim('GET', '/Schemas')).body.Resources.map((s: { id: string }) => s.id);
    expect(schemas).toEqual(expect.arrayContaining([AGENT, REGISTRY]));
    const agent = await scim('GET', `/Schemas/${AGENT}`);
    expect(agent.body.attributes.map((a: { name: string }) => a.name)).toEqual(['agentUserName', 'displayName', 'description', 'active', 'owners']);
    const extension = await scim('GET', `/Schemas/${REGISTRY}`);
    expect(extension.body.attributes.map((a: { name: string }) => a.name)).toEqual(['riskTier', 'scopes', 'platform', 'expiresAt', 'parent', 'status']);
  });

  it('answers 403 to a token without the ingest role', async () => {
    const response = await fetch(`${harness.url}/scim/v2/Agents`, { headers: { authorization: `Bearer ${await harness.token(['admin'])}` } });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ schemas: [ERROR], status: '403' });
  });
});

/**
 * The issue's scenario: an IdP creates an agent through SCIM, then deactivates its owner. The owner's offboarding
 * reaches the agent by the registry's cascade, as OFFBOARDING_POLICY says: deprovisioned by default, suspended here
 * in the second harness.
 */
describe.each([
  ['deprovision', {}, 'deprovisioned'],
  ['suspend', { OFFBOARDING_POLICY: '{"default":"suspend"}' }, 'suspended'],
])('an IdP deactivates the owner of an agent it created over SCIM (offboarding policy %s)', (_policy, env, expectedStatus) => {
  const harness = new ProvisionerHarness(env);
  const scim = scimClient(harness);

  beforeAll(() => harness.start(), 60000);
  afterAll(() => harness.stop());

  it(`leaves the agent ${expectedStatus} in the registry and inactive over SCIM`, async () => {
    const login = `leaver.${unique()}@idp.example`;
    const owner = await scim('POST', '/Users', { schemas: [USER], userName: login, emails: [{ value: login, primary: true }], active: true });
    expect(owner.status).toBe(201);
    const agent = await scim('POST', '/Agents', {
      schemas: [AGENT],
      externalId: `agent-${unique()}`,
      agentUserName: `leaver-agent-${unique()}`,
      displayName: "The leaver's agent",
      active: true,
      owners: [{ value: owner.body.id, $ref: `../Users/${owner.body.id}` }],
    });
    expect(agent.status).toBe(201);
    expect(agent.body.owners[0].value).toBe(owner.body.id);

    const deactivated = await scim('PATCH', `/Users/${owner.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(deactivated.body.active).toBe(false);

    await waitFor(
      async () => (await harness.request('GET', `/agents/${agent.body.id}`, undefined, ['reviewer'])).body.status,
      (status) => status === expectedStatus,
      { timeoutMs: 30000, what: `the agent ${expectedStatus}` },
    );
    expect((await harness.request('GET', `/owners/${owner.body.id}`)).body.status).toBe('terminated');
    const shown = await scim('GET', `/Agents/${agent.body.id}`);
    expect(shown.body).toMatchObject({ active: false, [REGISTRY]: { status: expectedStatus } });
    // Reactivating the agent over SCIM does not bring it back while its owner is gone.
    expectScimError(
      await scim('PATCH', `/Agents/${agent.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] }),
      400,
      'invalidValue',
    );
    // Nor can the IdP give a new agent to the leaver.
    expectScimError(await scim('POST', '/Agents', { schemas: [AGENT], displayName: 'another', owners: [{ value: owner.body.id }] }), 400, 'invalidValue');
  });
});
