import { randomUUID } from 'node:crypto';

import { Page } from 'playwright-core';

import { waitFor, withTestDatabase } from '@agentgov/test-support';

import { ConsoleSystem } from './support/console-system';
import { accessibilityProblems, screenshot } from './support/page-checks';

/**
 * The console's pages beyond incidents, in Debian's Chromium against the running stack, people signed in through the
 * realm's real login page: agents and owners (search, an agent's page with its delegation tree, an owner's page),
 * identity signals, reviews and campaigns (a reviewer certifies; a separation-of-duties refusal explained), and the
 * containment policy (an admin's edit, a stale one refused and re-applied). Writes the screenshots the README shows.
 */
describe('the agents, reviews and policy pages in a real browser', () => {
  const system = new ConsoleSystem();
  const run = randomUUID().slice(0, 6);

  beforeAll(() => system.start(), 240_000);
  afterAll(() => system.stop(), 60_000);

  /** An owner the test needs under a fixed id (a person's subject): kept across runs of the shared database. */
  async function ensureOwner(id: string, displayName: string): Promise<void> {
    const answer = await system.stack.provisioner.request('POST', '/owners', { id, displayName }, ['admin'], 'console-test-setup');
    if (answer.status !== 201 && answer.body?.code !== 'OWNER_EXISTS') throw new Error(`owner ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
  }

  /** Waits until the review-scheduler has learnt the agents from agent.lifecycle.v1 (campaigns match what it knows). */
  async function knownToTheScheduler(agentIds: string[]): Promise<void> {
    await waitFor(
      () =>
        withTestDatabase(
          async (c) => (await c.query(`SELECT count(*)::int AS n FROM "review_scheduler"."agents" WHERE "agent_id" = ANY($1)`, [agentIds])).rows[0].n as number,
        ),
      (n) => n === agentIds.length,
      { what: 'the review-scheduler to learn the agents', timeoutMs: 90_000 },
    );
  }

  async function noStoredTokens(page: Page): Promise<void> {
    expect(await page.evaluate('[localStorage.length, sessionStorage.length]')).toEqual([0, 0]);
  }

  it('an admin finds an agent, sees its delegation tree with the owner of each agent, its token state and history, then its owner’s page', async () => {
    // The root: an agent whose two weeks of activity the baseliner learnt (its owner is Dana Owner); below it a sub-agent
    // another owner is accountable for, and below that one of Dana's again.
    const root = await system.agentWithHistory();
    const ravi = await system.api('provisioner', 'POST', '/owners', { email: `ravi+${run}@example.com`, displayName: 'Ravi Researcher' });
    const subAgent = (name: string, ownerId: string, parentAgentId: string) =>
      system.api('provisioner', 'POST', '/agents', {
        name: `${name}-${run}`,
        ownerId,
        parentAgentId,
        purpose: 'account research',
        platform: 'langgraph',
        riskTier: 'high',
        scopes: ['crm.read'],
      });
    const researcher = await subAgent('researcher', ravi.id, root.id);
    const fetcher = await subAgent('fetcher', root.ownerId, researcher.id);
    await system.api('provisioner', 'POST', `/agents/${researcher.id}/revoke-tokens`);

    const page = await system.newPage();
    await system.signIn(page, 'alice', '/agents');
    await noStoredTokens(page);
    await page.getByLabel('Name, purpose or agent id').fill(researcher.name);
    await page.getByRole('button', { name: 'Search agents' }).click();
    const results = page.getByRole('table', { name: 'Agents matching the search' });
    await results.getByRole('link', { name: researcher.name }).waitFor();
    expect(await results.getByRole('row').count()).toBe(2);
    await results.getByRole('link', { name: 'Ravi Researcher' }).waitFor();
    await page.getByLabel('Owner id, email or name').fill(`ravi+${run}@example.com`);
    await page.getByRole('button', { name: 'Search owners' }).click();
    await page.getByRole('table', { name: 'Owners matching the search' }).getByRole('link', { name: 'Ravi Researcher' }).waitFor();
    await screenshot(page, 'agents-search.png');
    expect(await accessibilityProblems(page)).toEqual([]);

    await results.getByRole('link', { name: researcher.name }).click();
    await page.getByRole('heading', { level: 1, name: researcher.name }).waitFor();
    const tree = page.getByRole('region', { name: 'Delegation tree' });
    await tree.getByText('This agent is 1 level below its root').waitFor();
    expect(await tree.locator('p').first().innerText()).toBe(
      `This agent is 1 level below its root, ${root.name}; it has 1 sub-agent below it. The tree holds 3 agents of 2 owners.`,
    );
    // Drawn from its root: the parent, the agent itself (marked, not a link), its sub-agent, each with its owner.
    const drawn = tree.getByRole('list', { name: `Delegation tree of ${root.name}` });
    await drawn.getByRole('link', { name: root.name }).waitFor();
    await drawn
      .getByRole('list', { name: `Sub-agents of ${researcher.name}` })
      .getByRole('link', { name: fetcher.name })
      .waitFor();
    expect(await drawn.locator('[aria-current="page"]').innerText()).toBe(`${researcher.name} (this agent)`);
    await drawn.getByRole('link', { name: 'Ravi Researcher' }).waitFor();
    await drawn.getByRole('link', { name: 'Dana Owner' }).nth(1).waitFor();
    expect(await drawn.getByRole('link', { name: 'Dana Owner' }).count()).toBe(2);

    const tokens = page.getByRole('region', { name: 'Token state' });
    await tokens.getByText(/^Active: every token issued before .* was cut off \(every token revoked\)/).waitFor();
    expect(await tokens.innerText()).toMatch(/set at registration .* by console-test-setup/);
    const access = page.getByRole('region', { name: 'Owner, scopes and expiry' });
    expect(await access.getByRole('list', { name: 'Scopes' }).getByRole('listitem').allInnerTexts()).toEqual(['crm.read']);
    const history = page.getByRole('region', { name: 'Status history' });
    await history.getByRole('cell', { name: 'Every token revoked' }).waitFor();
    await history.getByRole('cell', { name: 'Registered' }).waitFor();
    await page.getByRole('region', { name: 'Recent scores' }).getByText('The baseliner has not scored any activity of this agent yet.').waitFor();
    await page.getByRole('region', { name: 'Incidents' }).getByText('No incident was ever opened about this agent.').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    // Up the tree to its root: the agent whose activity the baseliner scored.
    await drawn.getByRole('link', { name: root.name }).click();
    await page.getByRole('heading', { level: 1, name: root.name }).waitFor();
    await page
      .getByRole('region', { name: 'Delegation tree' })
      .getByText('This agent is the root of its delegation tree; it has 2 sub-agents below it.')
      .waitFor();
    const scores = page.getByRole('region', { name: 'Recent scores' });
    await scores.getByText(/\(210 events\)/).waitFor();
    expect(await scores.getByRole('table', { name: 'Its latest scores, newest first' }).getByRole('row').count()).toBeGreaterThan(1);
    await screenshot(page, 'agent.png', true);
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByRole('region', { name: 'Delegation tree' }).getByRole('link', { name: 'Dana Owner' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Dana Owner' }).waitFor();
    const theirs = page.getByRole('table', { name: 'The agents they own' });
    await theirs.getByRole('rowheader', { name: root.name }).waitFor();
    await theirs.getByRole('rowheader', { name: fetcher.name }).waitFor();
    // Ravi's sub-agent is below theirs, not theirs: it is in their trees, not in their own list (but as the fetcher's parent).
    expect(await theirs.getByRole('rowheader', { name: researcher.name }).count()).toBe(0);
    await page
      .getByRole('region', { name: 'Agents they are accountable for' })
      .getByText('Below them, 1 sub-agent other owners are accountable for.')
      .waitFor();
    await page
      .getByRole('region', { name: 'Delegation trees' })
      .getByRole('list', { name: `Delegation tree of ${root.name}` })
      .waitFor();
    await page.getByRole('region', { name: 'Lifecycle history' }).getByRole('cell', { name: 'Registered as an owner' }).waitFor();
    await screenshot(page, 'owner.png', true);
    expect(await accessibilityProblems(page)).toEqual([]);

    // The identity signals nobody matched (whatever the shared database holds), for SOC analysts and admins.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Identity signals' }).click();
    await page.getByRole('heading', { level: 1, name: 'Unmatched identity signals' }).waitFor();
    await page.getByText('Reading the signals…').waitFor({ state: 'detached' });
    await screenshot(page, 'identity-signals.png');
    expect(await accessibilityProblems(page)).toEqual([]);
  }, 180_000);

  it('an admin starts a campaign; the reviewer certifies her review in her own queue, removing a scope; the admin sees the campaign done', async () => {
    // A low-risk agent is reviewed by its owner: rita (the subject the services record for her is her username).
    await ensureOwner('rita', 'Rita Reviewer');
    const platform = `console-test-${run}`;
    const bot = await system.api('provisioner', 'POST', '/agents', {
      name: `report-bot-${run}`,
      ownerId: 'rita',
      purpose: 'weekly sales report',
      platform,
      riskTier: 'low',
      scopes: ['reports.read', 'reports.write'],
    });
    await knownToTheScheduler([bot.id]);

    const admin = await system.newPage();
    await system.signIn(admin, 'alice', '/campaigns');
    await admin.getByLabel('Name', { exact: true }).fill(`Certification ${run}`);
    await admin.getByLabel('Owner id').fill('rita');
    await admin.getByLabel('Platform').fill(platform);
    await admin.getByRole('button', { name: 'Start the campaign' }).click();
    await admin.getByRole('heading', { level: 1, name: `Certification ${run}` }).waitFor();
    await admin.getByText('0 of 1 done (0%)').waitFor();

    const reviewer = await system.newPage();
    await system.signIn(reviewer, 'rita', '/reviews');
    await noStoredTokens(reviewer);
    const link = reviewer.getByRole('link', { name: bot.name });
    await link.waitFor();
    await screenshot(reviewer, 'reviews-queue.png');
    expect(await accessibilityProblems(reviewer)).toEqual([]);
    await link.click();
    await reviewer.getByRole('heading', { level: 1, name: `Review of ${bot.name}` }).waitFor();
    await reviewer.getByRole('checkbox', { name: /reports\.write/ }).check();
    await screenshot(reviewer, 'review.png');
    expect(await accessibilityProblems(reviewer)).toEqual([]);
    await reviewer.getByRole('button', { name: 'Certify without 1 scope' }).click();
    const dialog = reviewer.getByRole('dialog', { name: `Certify ${bot.name}` });
    expect(await dialog.innerText()).toContain('Certifying keeps the agent, without the scope reports.write');
    await dialog.getByLabel('Reason (required, recorded in the audit trail)').fill('Still needed for the weekly report; it never writes');
    await dialog.getByRole('button', { name: 'Certify', exact: true }).click();
    await reviewer.getByText(/^Certified, without reports\.write\./).waitFor();
    // The decision reached the registry: the scope is gone.
    await waitFor(
      () => system.api('provisioner', 'GET', `/agents/${bot.id}`),
      (a) => a.scopes.join(' ') === 'reports.read',
      { what: 'the provisioner to remove the scope' },
    );
    // A reviewer sees the agent's registry page; its audit trail, scores and incidents are the SOC's and admins'.
    await reviewer.getByRole('region', { name: 'The agent' }).getByRole('link', { name: bot.name }).click();
    await reviewer.getByRole('heading', { level: 1, name: bot.name }).waitFor();
    await reviewer.getByText('which SOC analysts and admins see').waitFor();
    expect(await reviewer.getByRole('region', { name: 'Status history' }).count()).toBe(0);
    expect(await accessibilityProblems(reviewer)).toEqual([]);

    await admin.getByRole('link', { name: '← Campaigns and reports' }).click();
    await admin
      .getByRole('table', { name: 'Campaigns, newest first, with their progress' })
      .getByRole('link', { name: `Certification ${run}` })
      .click();
    await admin.getByText('1 of 1 done (100%)').waitFor();
    expect(await admin.getByRole('table', { name: "The campaign's reviews" }).innerText()).toContain('Certified by rita');
    await screenshot(admin, 'campaign.png', true);
    expect(await accessibilityProblems(admin)).toEqual([]);
  }, 180_000);

  it('explains a separation-of-duties refusal: an admin may not certify her own high-risk agent', async () => {
    await ensureOwner('alice', 'Alice Admin');
    const platform = `console-sod-${run}`;
    const own = await system.api('provisioner', 'POST', '/agents', {
      name: `alice-bot-${run}`,
      ownerId: 'alice',
      purpose: 'mailbox triage',
      platform,
      riskTier: 'high',
      scopes: ['mail.read'],
    });
    await knownToTheScheduler([own.id]);
    // Its owner has no manager the review-scheduler knows and no high-risk reviewer is named: the admins' queue.
    const started = await system.stack.reviewScheduler.request('POST', '/campaigns', { name: `SoD ${run}`, filter: { ownerId: 'alice', platform } }, ['admin']);
    expect(started.status).toBe(201);

    const page = await system.newPage();
    await system.signIn(page, 'alice', '/reviews?view=admins');
    await page.getByRole('link', { name: own.name }).click();
    await page
      .getByRole('note')
      .getByText(/^You own this high-risk agent/)
      .waitFor();
    await page.getByRole('button', { name: 'Certify', exact: true }).click();
    await page.getByLabel('Reason (required, recorded in the audit trail)').fill('I know this one well');
    await page.getByRole('dialog').getByRole('button', { name: 'Certify', exact: true }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('You own this agent, and it is high or critical risk: its owner may not certify or revoke it');
    expect(await refusal.innerText()).toContain('403 SEPARATION_OF_DUTIES');
    await screenshot(page, 'review-separation-of-duties.png');
    expect(await accessibilityProblems(page)).toEqual([]);
    // Another admin decides it (and the shared database keeps no open review of this test).
    const reviewId = new URL(page.url()).pathname.split('/').pop() as string;
    const revoked = await system.stack.reviewScheduler.request('POST', `/reviews/${reviewId}/decision`, { decision: 'revoke', reason: 'test over' }, ['admin']);
    expect(revoked.body).toMatchObject({ state: 'closed', decision: 'revoke' });
  }, 180_000);

  it('an admin edits the policy; an edit of a version someone else changed meanwhile is refused, shown and re-applied', async () => {
    const original = await system.api('containment', 'GET', '/policy');
    const cooldown = original.policy.cooldownSeconds as number;
    const page = await system.newPage();
    try {
      await system.signIn(page, 'alice', '/policy');
      await page.getByRole('heading', { level: 1, name: 'Containment policy' }).waitFor();
      await page.getByRole('table', { name: /^The score from which containment takes each action/ }).waitFor();
      await screenshot(page, 'policy.png');
      expect(await accessibilityProblems(page)).toEqual([]);

      await page.getByRole('button', { name: 'Edit the policy' }).click();
      await page.getByLabel('Cooldown after an incident (seconds)').fill(String(cooldown + 60));
      await page
        .getByRole('table', { name: `Your changes to version ${original.version}` })
        .getByRole('rowheader', { name: 'Cooldown after an incident (seconds)' })
        .waitFor();
      // Another admin saves a version meanwhile (the same setting, another value).
      const theirs = await system.api('containment', 'PUT', '/policy', {
        policy: { ...original.policy, cooldownSeconds: cooldown + 120 },
        basedOnVersion: original.version,
        reason: 'longer cooldown while the CRM migrates',
      });
      await page.getByRole('button', { name: `Save as version ${original.version + 1}` }).click();
      const dialog = page.getByRole('dialog', { name: `Save version ${original.version + 1} of the policy` });
      await dialog.getByLabel('Reason (required, recorded in the audit trail)').fill('One more minute before a new incident');
      await dialog.getByRole('button', { name: 'Save the policy' }).click();

      const refusal = page.getByRole('alert');
      await refusal.waitFor();
      expect(await refusal.innerText()).toContain('409 POLICY_VERSION_CONFLICT');
      const conflict = page.getByRole('region', { name: `Version ${theirs.version} was saved meanwhile by console-test-setup` });
      await conflict.waitFor();
      await conflict.getByText('Their reason: longer cooldown while the CRM migrates').waitFor();
      await conflict
        .getByRole('table', { name: `What changed from version ${original.version} to ${theirs.version}` })
        .getByRole('rowheader', { name: 'Cooldown after an incident (seconds)' })
        .waitFor();
      await conflict
        .getByRole('note')
        .getByText(/^Cooldown after an incident \(seconds\): theirs .*, yours /)
        .waitFor();
      await conflict.scrollIntoViewIfNeeded();
      await screenshot(page, 'policy-conflict.png');
      expect(await accessibilityProblems(page)).toEqual([]);

      await conflict.getByRole('button', { name: `Re-apply my changes on version ${theirs.version}` }).click();
      expect(await page.getByLabel('Cooldown after an incident (seconds)').inputValue()).toBe(String(cooldown + 60));
      await page.getByRole('button', { name: `Save as version ${theirs.version + 1}` }).click();
      await page.getByLabel('Reason (required, recorded in the audit trail)').fill('One more minute before a new incident');
      await page.getByRole('dialog').getByRole('button', { name: 'Save the policy' }).click();
      await page.getByText(`Saved as version ${theirs.version + 1}.`).waitFor();
      const saved = await system.api('containment', 'GET', '/policy');
      expect(saved).toMatchObject({ version: theirs.version + 1, createdBy: 'alice', reason: 'One more minute before a new incident' });
      // The form says every setting (the two-analyst score too, containment's default when the policy did not say it).
      expect(saved.policy).toEqual({
        ...original.policy,
        releaseNeedsSecondAnalystFrom: original.policy.releaseNeedsSecondAnalystFrom ?? 0.99,
        cooldownSeconds: cooldown + 60,
      });
      // The versions and what changed between the last two.
      await page
        .getByRole('table', { name: `From version ${theirs.version} to version ${theirs.version + 1}` })
        .getByRole('rowheader', { name: 'Cooldown after an incident (seconds)' })
        .waitFor();
    } finally {
      // Other tests share this database: the policy decides as it did before.
      const now = await system.api('containment', 'GET', '/policy');
      if (now.policy.cooldownSeconds !== cooldown) {
        await system.api('containment', 'PUT', '/policy', {
          policy: { ...now.policy, cooldownSeconds: cooldown },
          basedOnVersion: now.version,
          reason: 'the console test puts the cooldown back',
        });
      }
    }
  }, 120_000);
});
