import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Partitioners } from 'kafkajs';

import { Role } from '@agentgov/auth';
import { dlqTopicOf, Topics } from '@agentgov/contracts';
import { createKafkaClient, DeadLetterPublisher, deadLetterRange, encodeEvent, silentLogger } from '@agentgov/messaging';
import { anomalyEvent, ServiceHarness, Stack } from '@agentgov/service-testing';
import { localBrokerServiceEnv, TEST_KAFKA_BROKERS, testKafkaSecurity, waitFor, withTestDatabase } from '@agentgov/test-support';

import { AgentgovCli, REPO_ROOT } from '../support/agentgov-process';

/**
 * The real `agentgov` binary, run as child processes against the provisioner, containment and the review-scheduler
 * started as processes on the real broker and database: what an operator types, what they read, the exit codes.
 */
describe('agentgov against the running services', () => {
  const connector = `cli-issuer-${randomUUID().slice(0, 8)}`;
  const stack = new Stack({
    services: {
      'behavior-baseliner': { SCORING_THREADS: '1', SCORING_CHECKPOINT_INTERVAL_MS: '500' },
      containment: { DELIVERY_RETRY_BASE_MS: '100' },
    },
    connectors: async (provisioner) => [
      { name: connector, type: 'builtin-issuer', baseUrl: provisioner.url, bearerToken: await provisioner.token(['revoke-tokens'], 'containment-service') },
    ],
  });
  let cli: AgentgovCli;
  const tokens = new Map<string, string>();
  /** The environment of an operator with these roles (the token in AGENTGOV_TOKEN, as a script would give it). */
  const as = (role: Role, sub = `cli-${role}`) => ({ AGENTGOV_TOKEN: tokens.get(`${role}:${sub}`) ?? '' });

  beforeAll(async () => {
    await stack.start();
    for (const [role, sub] of [
      ['admin', 'cli-admin'],
      ['soc-analyst', 'cli-soc-analyst'],
      ['reviewer', 'cli-reviewer'],
    ] as const) {
      tokens.set(`${role}:${sub}`, await stack.provisioner.token([role], sub));
    }
    cli = new AgentgovCli({
      AGENTGOV_PROVISIONER_URL: stack.provisioner.url,
      AGENTGOV_BASELINER_URL: stack.baseliner.url,
      AGENTGOV_CONTAINMENT_URL: stack.containment.url,
      AGENTGOV_REVIEW_SCHEDULER_URL: stack.reviewScheduler.url,
    });
  }, 180_000);
  afterAll(async () => {
    cli?.cleanUp();
    await stack.stop();
  }, 60_000);

  async function call(harness: ServiceHarness, method: string, path: string, body?: unknown): Promise<any> {
    const response = await harness.request(method, path, body, ['admin'], 'cli-test-setup');
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  }
  const createOwner = async (): Promise<string> => (await call(stack.provisioner, 'POST', '/owners', { email: `owner-${randomUUID()}@example.com` })).id;
  const registerAgent = async (extra: Record<string, unknown>): Promise<{ id: string; name: string }> =>
    call(stack.provisioner, 'POST', '/agents', {
      name: `agent-${randomUUID().slice(0, 8)}`,
      purpose: 'crm-sync',
      platform: 'langgraph',
      riskTier: 'medium',
      scopes: ['crm.read'],
      ...extra,
    });
  const statusOf = async (agentId: string): Promise<string> => (await call(stack.provisioner, 'GET', `/agents/${agentId}`)).status;

  it('runs as `npx agentgov` from the workspace: help exits 0, a wrong command line exits 2 with what is wrong and the usage', async () => {
    const help = await cli.run(['--help'], { npx: true });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^agentgov: the operator’s command line/);
    expect(help.stdout).toContain('dead-letters  messages the consumers gave up on: list, replay');

    const wrong = await cli.run(['agents', 'frobnicate'], { npx: true, cwd: join(REPO_ROOT, 'apps/cli') });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      'agentgov: unknown command "agents frobnicate"; agents has list, show, tree, baseline\ncommands of agents: agents list, agents show, agents tree, agents baseline\n',
    );

    const noReason = await cli.run(['incidents', 'release', randomUUID(), '--json'], { env: as('soc-analyst') });
    expect(noReason.code).toBe(2);
    expect(noReason.json()).toEqual({ error: { message: '--reason is required', exitCode: 2 } });
    expect(noReason.stderr).toContain('usage: agentgov incidents release <id> [options]');
  }, 60_000);

  it('lists, shows and draws the delegation tree of agents, as text and as JSON', async () => {
    const ownerId = await createOwner();
    const otherOwner = await createOwner();
    const parent = await registerAgent({ ownerId, riskTier: 'high' });
    const sub = await registerAgent({ parentAgentId: parent.id });
    const subSub = await registerAgent({ parentAgentId: sub.id, ownerId: otherOwner });

    const listed = await cli.run(['agents', 'list', '--owner', ownerId, '--json'], { env: as('reviewer') });
    expect(listed.code).toBe(0);
    expect(
      listed
        .json()
        .items.map((a: { id: string }) => a.id)
        .sort(),
    ).toEqual([parent.id, sub.id].sort());
    const text = await cli.run(['agents', 'list', '--owner', ownerId], { env: as('reviewer') });
    expect(text.stdout.split('\n')[0]).toMatch(/^ID +NAME +OWNER +TIER +STATUS +PLATFORM +PARENT$/);
    expect(text.stdout).toMatch(new RegExp(`${sub.id} +${sub.name} +${ownerId} +medium +active +langgraph +${parent.id}`));

    const shown = await cli.run(['agents', 'show', sub.id], { env: as('soc-analyst') });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`parent:    ${parent.id}`);
    expect(shown.stdout).toContain('status:    active');
    const shownJson = await cli.run(['agents', 'show', sub.id, '--json'], { env: as('soc-analyst') });
    expect(shownJson.json()).toEqual(await call(stack.provisioner, 'GET', `/agents/${sub.id}`));

    const tree = await cli.run(['agents', 'tree', sub.id], { env: as('soc-analyst') });
    expect(tree.code).toBe(0);
    expect(tree.stdout).toBe(
      [
        `${parent.name} ${parent.id} [active, high] owner ${ownerId}`,
        `└── ${sub.name} ${sub.id} [active, medium] owner ${ownerId}  <- this agent`,
        `    └── ${subSub.name} ${subSub.id} [active, medium] owner ${otherOwner}`,
        '3 agents in this tree',
        '',
      ].join('\n'),
    );
    const treeJson = (await cli.run(['agents', 'tree', subSub.id, '--json'], { env: as('soc-analyst') })).json();
    expect(treeJson.agentId).toBe(subSub.id);
    expect(treeJson.root.id).toBe(parent.id);
    expect(treeJson.root.children[0].children[0]).toMatchObject({ id: subSub.id, ownerId: otherOwner, children: [] });
  }, 60_000);

  it('offboards an owner and, with --wait, follows the cascade until every agent and sub-agent is deprovisioned', async () => {
    const ownerId = await createOwner();
    const agent = await registerAgent({ ownerId });
    const sub = await registerAgent({ parentAgentId: agent.id });

    const offboarded = await cli.run(['owners', 'offboard', ownerId, '--reason', 'left the company (HR-4411)', '--wait', '--json'], { env: as('admin') });

    expect(offboarded.code).toBe(0);
    const result = offboarded.json();
    expect(result.cascade.deprovisioned.sort()).toEqual([agent.id, sub.id].sort());
    expect(result.cascade).toMatchObject({ suspended: [], reassigned: [] });
    // The progress went to stderr (a plain line off a terminal), never into the JSON.
    expect(offboarded.stderr).toContain(`owner ${ownerId} reported terminated (event ${result.eventId})`);
    expect(offboarded.stderr).toMatch(new RegExp(`offboarding ${ownerId}: done in .* 2/2 agents .* 2 deprovisioned`));
    expect(await Promise.all([statusOf(agent.id), statusOf(sub.id)])).toEqual(['deprovisioned', 'deprovisioned']);

    const shown = await cli.run(['owners', 'show', ownerId], { env: as('soc-analyst') });
    expect(shown.stdout).toMatch(/^status: +terminated \(left the company \(HR-4411\)\)$/m);
    expect(shown.stdout).toMatch(/^agents: +2 agents: 0 active, 0 suspended, 2 deprovisioned$/m);
  }, 90_000);

  it('lists an incident, releases it with a reason (refusing a release without one) and shows it with its receipts and audit trail', async () => {
    const ownerId = await createOwner();
    const agent = await registerAgent({ ownerId, riskTier: 'critical' });
    await waitFor(
      () => withTestDatabase(async (c) => (await c.query(`SELECT 1 FROM "containment"."known_agents" WHERE "agent_id" = $1`, [agent.id])).rowCount),
      (n) => n === 1,
      { timeoutMs: 20_000, what: 'containment to learn the agent' },
    );
    await stack.provisioner.publish(Topics.AgentAnomaly, [{ data: anomalyEvent(agent.id, { score: 0.98 }) }]);
    const [incident] = await waitFor(
      async () => (await call(stack.containment, 'GET', `/incidents?agentId=${agent.id}`)).items,
      (items: any[]) => items.length === 1 && items[0].status === 'contained' && items[0].actions[0]?.receipts.every((r: any) => r.status === 'confirmed'),
      { timeoutMs: 30_000, what: 'the incident contained, its receipt confirmed' },
    );

    const listed = await cli.run(['incidents', 'list', '--agent', agent.id, '--status', 'contained', '--json'], { env: as('soc-analyst') });
    expect(listed.code).toBe(0);
    expect(listed.json().items.map((i: any) => [i.incidentId, i.status])).toEqual([[incident.incidentId, 'contained']]);
    const listedText = await cli.run(['incidents', 'list', '--agent', agent.id], { env: as('soc-analyst') });
    expect(listedText.stdout).toMatch(new RegExp(`^${incident.incidentId} +contained +high +0\\.980 +${agent.id} +${ownerId} `, 'm'));

    const noReason = await cli.run(['incidents', 'release', incident.incidentId], { env: as('soc-analyst') });
    expect(noReason.code).toBe(2);
    expect(await statusOfIncident(incident.incidentId)).toBe('contained');

    const reason = 'false alarm: the bulk export was approved by the data owner (CHG-1182)';
    const released = await cli.run(['incidents', 'release', incident.incidentId, '--reason', reason], { env: as('soc-analyst') });
    expect(released).toMatchObject({ code: 0, stdout: `incident ${incident.incidentId} is released\n` });

    const shown = await cli.run(['incidents', 'show', incident.incidentId], { env: as('soc-analyst') });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^status: +released$/m);
    expect(shown.stdout).toMatch(new RegExp(`^contain +${connector} +confirmed `, 'm'));
    expect(shown.stdout).toMatch(new RegExp(`cli-soc-analyst +incident\\.release +${reason.replace(/[()]/g, '\\$&')}`));
    const shownJson = (await cli.run(['incidents', 'show', incident.incidentId, '--json'], { env: as('soc-analyst') })).json();
    expect(shownJson).toMatchObject({ incidentId: incident.incidentId, status: 'released' });
  }, 90_000);

  async function statusOfIncident(id: string): Promise<string> {
    return (await call(stack.containment, 'GET', `/incidents/${id}`)).status;
  }

  it('gets and sets the policy with its version, refuses a stale version, and explains a 403 by the role the token lacks', async () => {
    const got = await cli.run(['policy', 'get', '--json'], { env: as('soc-analyst') });
    expect(got.code).toBe(0);
    const current = got.json();
    const file = join(cli.home, 'policy.json');
    writeFileSync(file, got.stdout);
    const text = await cli.run(['policy', 'get'], { env: as('soc-analyst') });
    expect(text.stdout).toMatch(/^version \d+, set by \S+ at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: /);
    expect(text.stdout).toMatch(/^TIER +ALERT FROM +CONTAIN FROM +DEPROVISION FROM$/m);

    // The policy as it is, as a new version: other tests on this database see no change in what it decides.
    const set = await cli.run(['policy', 'set', file, '--reason', 'unchanged: the CLI test sets it again'], { env: as('admin') });
    expect(set).toMatchObject({ code: 0, stdout: `policy version ${current.version + 1} in force (was ${current.version})\n` });

    const stale = await cli.run(['policy', 'set', file, '--reason', 'a second edit of the same version', '--json'], { env: as('admin') });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`agentgov: the policy changed since version ${current.version} was read; nothing was changed`);
    expect(stale.stderr).toContain('(containment: 409 POLICY_VERSION_CONFLICT)');
    expect(stale.json().error).toMatchObject({ code: 'POLICY_VERSION_CONFLICT', status: 409, service: 'containment', exitCode: 1 });
    expect((await call(stack.containment, 'GET', '/policy')).version).toBe(current.version + 1);

    // A bare policy object says no version: --based-on does.
    const bare = join(cli.home, 'bare-policy.json');
    writeFileSync(bare, JSON.stringify(current.policy));
    const unversioned = await cli.run(['policy', 'set', bare, '--reason', 'which version?'], { env: as('admin') });
    expect(unversioned.code).toBe(2);
    expect(unversioned.stderr).toMatch(/^agentgov: say which version you edited: --based-on N/);
    const forbidden = await cli.run(['policy', 'set', bare, '--reason', 'an analyst tries', '--based-on', String(current.version + 1)], {
      env: as('soc-analyst'),
    });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toBe(
      'agentgov: your token lacks role admin (it has soc-analyst): the containment API refused: This action requires one of the roles: admin.\n' +
        '  ask an administrator for that role, or use a token that has it\n',
    );
  }, 60_000);

  it("verifies every service's audit chain, with progress on stderr and a verdict per service", async () => {
    const verified = await cli.run(['audit', 'verify', '--json'], { env: as('admin') });

    expect(verified.code).toBe(0);
    const result = verified.json();
    expect(result.ok).toBe(true);
    expect(result.services.map((s: any) => [s.service, s.verification.ok])).toEqual([
      ['provisioner', true],
      ['containment', true],
      ['review-scheduler', true],
    ]);
    expect(result.services[0].verification.rowsChecked).toBeGreaterThan(0);
    expect(verified.stderr).toMatch(/verifying audit chains: done in .* 3\/3 services .* every chain intact/);

    const asAnalyst = await cli.run(['audit', 'verify'], { env: as('soc-analyst') });
    expect(asAnalyst.code).toBe(1);
    expect(asAnalyst.stdout).toMatch(/^provisioner +NOT CHECKED +- +- +your token lacks role admin \(it has soc-analyst\)/m);
    expect(asAnalyst.stdout).toContain('3 services not intact or not checked');
  }, 60_000);

  it("shows what the baseliner learnt of an agent's activity", async () => {
    const ownerId = await createOwner();
    const agent = await registerAgent({ ownerId });
    const start = Date.now() - 2 * 86_400_000;
    const activity = Array.from({ length: 20 }, (_, i) => ({
      data: {
        agentId: agent.id,
        occurredAt: new Date(start + i * 3_600_000).toISOString(),
        action: 'crm.read',
        resourceType: 'crm.contact',
        tool: 'crm-api',
        recordsTouched: 1,
        outcome: 'allowed' as const,
      },
    }));
    await stack.provisioner.publish(Topics.AgentActivity, activity);
    const learnt = await waitFor(
      () => stack.baseliner.request('GET', `/agents/${agent.id}/baseline`, undefined, ['soc-analyst']),
      (r) => r.status === 200 && r.body.eventsLearnt === 20,
      { timeoutMs: 30_000, what: 'the baseliner to learn the activity' },
    );

    const shown = await cli.run(['agents', 'baseline', agent.id, '--json'], { env: as('soc-analyst') });
    expect(shown.code).toBe(0);
    expect(shown.json()).toMatchObject({ agentId: agent.id, registered: true, eventsLearnt: 20, baseline: learnt.body.baseline });
    const text = await cli.run(['agents', 'baseline', agent.id], { env: as('soc-analyst') });
    expect(text.stdout).toMatch(/^events learnt: +20$/m);
    expect(text.stdout).toMatch(new RegExp(`^registered: +yes \\(medium, owner ${ownerId}, active\\)$`, 'm'));
  }, 60_000);

  it('lists reviews, and certifies one while taking a scope away, which the provisioner then removes', async () => {
    const ownerId = await createOwner();
    const agent = await registerAgent({ ownerId, scopes: ['crm.read', 'crm.write'] });
    await waitFor(
      () => withTestDatabase(async (c) => (await c.query(`SELECT 1 FROM "review_scheduler"."agents" WHERE "agent_id" = $1`, [agent.id])).rowCount),
      (n) => n === 1,
      { timeoutMs: 20_000, what: 'the review-scheduler to learn the agent' },
    );
    await call(stack.reviewScheduler, 'POST', '/campaigns', { name: 'CLI test certification', filter: { ownerId } });

    const mine = await cli.run(['reviews', 'list', '--json'], { env: as('reviewer', 'cli-reviewer') });
    expect(mine.code).toBe(0);
    expect(mine.json().items.filter((r: any) => r.agentId === agent.id)).toEqual([]);
    const all = await cli.run(['reviews', 'list', '--json'], { env: as('admin') });
    const [review] = all.json().items.filter((r: any) => r.agentId === agent.id);
    expect(review).toMatchObject({ state: 'open', ownerId, reason: 'scheduled' });
    const listed = await cli.run(['reviews', 'list', '--reviewer', review.reviewerId], { env: as('admin') });
    expect(listed.stdout).toMatch(new RegExp(`^${review.id} +open +\\S+ \\S+ +${agent.id} +${ownerId} +${review.reviewerId} +scheduled `, 'm'));

    const certified = await cli.run(['reviews', 'certify', review.id, '--remove-scope', 'crm.write', '--reason', 'read access is all it needs'], {
      env: as('admin'),
    });
    expect(certified).toMatchObject({ code: 0, stdout: `review ${review.id} of agent ${agent.id} certified, removing crm.write\n` });
    await waitFor(
      async () => (await call(stack.provisioner, 'GET', `/agents/${agent.id}`)).scopes,
      (scopes: string[]) => scopes.length === 1 && scopes[0] === 'crm.read',
      { timeoutMs: 30_000, what: 'the provisioner to remove the scope' },
    );
  }, 60_000);

  it('lists the dead letters of a topic with why each failed, and replays the chosen one, which its consumer then applies', async () => {
    const prefix = stack.topicPrefix;
    const kafka = createKafkaClient({ brokers: TEST_KAFKA_BROKERS, clientId: 'cli-tests', security: testKafkaSecurity() });
    const kafkaEnv = { ...localBrokerServiceEnv('admin'), KAFKA_TOPIC_PREFIX: prefix };
    const dlq = dlqTopicOf(`${prefix}${Topics.IdentityLifecycle}`);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const ownerId = await createOwner();
    const agent = await registerAgent({ ownerId });
    const termination = encodeEvent({
      topic: Topics.IdentityLifecycle,
      data: { kind: 'owner.terminated', ownerId, source: 'hr-bridge', occurredAt: new Date().toISOString(), reason: 'left the company' },
      source: '/tests/hr-bridge',
    });
    try {
      // A message no consumer can read: the provisioner and the review-scheduler each dead-letter it.
      await producer.send({
        topic: `${prefix}${Topics.IdentityLifecycle}`,
        messages: [{ key: ownerId, value: 'not json', headers: { ce_id: randomUUID(), ce_type: 'agentgov.identity.lifecycle.v1', ce_specversion: '1.0' } }],
      });
      // And a termination the provisioner gave up on (as its consumer does after its retries, with the same
      // publisher): the event is fine, its handler had failed, and the cause is now fixed.
      await new DeadLetterPublisher(producer, `${prefix}provisioner`, silentLogger).publish(
        `${prefix}${Topics.IdentityLifecycle}`,
        0,
        {
          key: Buffer.from(termination.key),
          value: Buffer.from(termination.value),
          headers: termination.headers,
          offset: '0',
          timestamp: String(Date.now()),
          attributes: 0,
        },
        new Error('connect ETIMEDOUT 10.0.0.7:5432'),
        3,
      );
    } finally {
      await producer.disconnect();
    }
    await waitFor(
      () => deadLetterRange(kafka, dlq),
      (range) => range.total === 3,
      { timeoutMs: 30_000, what: 'three dead letters' },
    );

    const listed = await cli.run(['dead-letters', 'list', '--topic', Topics.IdentityLifecycle, '--json'], { env: { ...as('admin'), ...kafkaEnv } });
    expect(listed.code).toBe(0);
    const { summary, messages } = listed.json();
    expect(summary).toEqual({ seen: 3, matched: 3, replayed: 0 });
    const unreadable = messages.filter((m: any) => m.ceId !== termination.id);
    expect(unreadable.map((m: any) => m.failedGroup).sort()).toEqual([`${prefix}provisioner`, `${prefix}review-scheduler`]);
    expect(unreadable.every((m: any) => /json/i.test(m.error))).toBe(true);
    const failed = messages.find((m: any) => m.ceId === termination.id);
    expect(failed).toMatchObject({ failedGroup: `${prefix}provisioner`, attempts: '3', error: 'Error: connect ETIMEDOUT 10.0.0.7:5432' });
    expect(failed).not.toHaveProperty('replayedTo');
    expect(await statusOf(agent.id)).toBe('active');
    expect(listed.stderr).toMatch(new RegExp(`reading ${dlq.replace(/\./g, '\\.')}: done in .* 3/3 messages`));

    const text = await cli.run(['dead-letters', 'list', '--topic', Topics.IdentityLifecycle, '--failed-group', `${prefix}provisioner`], {
      env: { ...as('admin'), ...kafkaEnv },
    });
    expect(text.stdout.split('\n')[0]).toMatch(/^OFFSET +EVENT ID +TYPE +FAILED GROUP +ATTEMPTS +FAILED AT +ERROR$/);
    expect(text.stdout).toContain(`${dlq}: 3 read, 2 selected (agentgov dead-letters replay sends them back)`);

    const replayed = await cli.run(
      ['dead-letters', 'replay', '--topic', Topics.IdentityLifecycle, '--from-offset', failed.offset, '--to-offset', failed.offset, '--json'],
      { env: { ...as('admin'), ...kafkaEnv } },
    );
    expect(replayed.code).toBe(0);
    expect(replayed.json().summary).toEqual({ seen: 3 - Number(failed.offset), matched: 1, replayed: 1 });
    expect(replayed.json().messages).toEqual([expect.objectContaining({ ceId: termination.id, replayedTo: `${prefix}${Topics.IdentityLifecycle}` })]);
    await waitFor(
      () => statusOf(agent.id),
      (status) => status === 'deprovisioned',
      { timeoutMs: 30_000, what: 'the replayed termination applied' },
    );

    const refused = await cli.run(['dead-letters', 'list', '--topic', Topics.IdentityLifecycle], {
      env: { ...as('admin'), ...localBrokerServiceEnv('containment'), KAFKA_TOPIC_PREFIX: prefix },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^agentgov: Kafka refused principal containment \(TOPIC_AUTHORIZATION_FAILED\)/);
  }, 120_000);
});
