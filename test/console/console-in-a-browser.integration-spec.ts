import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import axe from 'axe-core';
import { Page } from 'playwright-core';

import { REPO_ROOT, signInThroughLoginForm, waitFor } from '@agentgov/test-support';

import { ConsoleSystem, SeededAgent } from './support/console-system';

const SCREENSHOTS = join(REPO_ROOT, 'docs/screenshots');

/** axe-core's findings on the page as it is now, keeping the serious and critical ones (WCAG 2 A and AA, best practices). */
async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy (no inline script) does not govern.
  await page.evaluate(axe.source);
  // Page code as text: it runs in the browser, whose globals this compilation does not know.
  const options = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] } };
  const result = (await page.evaluate(`axe.run(document, ${JSON.stringify(options)})`)) as axe.AxeResults;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage });
}

/**
 * The SOC console in Debian's Chromium, against the running stack: people sign in through the real Keycloak login page
 * of a realm of the test's own, and everything they see and do goes through the console's server to the services.
 * Writes the screenshots the README shows (docs/screenshots).
 */
describe('the SOC console in a real browser', () => {
  const system = new ConsoleSystem();
  let agent: SeededAgent;

  beforeAll(async () => {
    await system.start();
    agent = await system.agentWithHistory();
  }, 240_000);

  afterAll(() => system.stop(), 60_000);

  it('an analyst signs in at the identity provider, sees the incident arrive live, opens it, sees the chart, releases it with a reason and sees the receipts', async () => {
    const page = await system.newPage();
    // The queue of this owner's incidents (the test database holds other tests' too); sign-in comes back to it.
    await system.signIn(page, 'sam', `/incidents?ownerId=${agent.ownerId}`);
    expect(new URL(page.url()).pathname).toBe('/incidents');
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.getByText('No incidents match these filters.').waitFor();
    // Tokens live in memory only: nothing in either storage, no cookie of the console's.
    expect(await page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]')).toEqual([0, 0, '']);

    await system.burst(agent.id);
    const row = page.locator('tr[data-incident-id]');
    await row.waitFor({ timeout: 30_000 });
    // It arrived over the live stream: the page was never reloaded, and the row is marked as new.
    expect(await row.getAttribute('class')).toBe('arrived');
    // The agent's and owner's names come from the provisioner, a moment later.
    await row.getByText(agent.name).waitFor();
    await row.getByText(agent.ownerName).waitFor();
    expect(await row.innerText()).toMatch(/records touched in 10 min; usually about 15 a day/);
    await page.getByRole('cell', { name: /^Contained: logged out at 1 of 1 system$/ }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'incidents-queue.png');
    expect(await accessibilityProblems(page)).toEqual([]);

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Agent and owner' }).waitFor();
    await page.locator('.chart canvas').first().waitFor();
    const chart = page.locator('.chart [role="img"]');
    expect(await chart.getAttribute('aria-label')).toMatch(/during the anomaly it did \d+ an hour/);
    await page.getByRole('rowheader', { name: 'Records touched in 10 minutes' }).waitFor();
    const receipts = page.getByRole('region', { name: 'Actions and receipts' });
    await receipts.getByText(system.issuerConnector).first().waitFor();
    await receipts.getByText('confirmed').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'incident.png', true);
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByRole('button', { name: 'Release' }).click();
    const dialog = page.getByRole('dialog', { name: 'Release this incident' });
    // The reason is required: without one the decision cannot be sent.
    expect(await dialog.getByRole('button', { name: 'Release the agent' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Reason (required, recorded in the audit trail)').fill('Approved bulk export for the quarterly audit, checked with Dana');
    await screenshot(page, 'release-dialog.png');
    expect(await accessibilityProblems(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Release the agent' }).click();

    const released = page.getByText('Released: the agent is restored with fresh credentials');
    const needsSecond = page.getByText('a second analyst must now release the agent');
    await released.or(needsSecond).waitFor();
    if (await needsSecond.isVisible()) {
      // The burst scored 0.99 or more: policy takes two analysts to release it. The second one does, in their browser.
      const second = await system.newPage();
      await system.signIn(second, 'omar', new URL(page.url()).pathname);
      await second.getByText('you may release it as the second analyst').waitFor();
      await second.getByRole('button', { name: 'Release' }).click();
      await second.getByLabel('Reason (required, recorded in the audit trail)').fill('Agreed with sam: approved export');
      await second.getByRole('button', { name: 'Release the agent' }).click();
      await second.getByText('Released: the agent is restored with fresh credentials').waitFor();
    }
    // The release's own receipts arrive live on the first analyst's page.
    await page.locator('.incident-status').getByText('Released: restored at 1 of 1 system').waitFor({ timeout: 30_000 });
    await receipts.getByRole('rowheader', { name: /^Release/ }).waitFor();
    await page.getByRole('region', { name: 'Audit trail' }).getByText('Approved bulk export for the quarterly audit, checked with Dana').waitFor();
    await screenshot(page, 'incident-released.png', true);

    const [incident] = (await system.api('containment', 'GET', `/incidents?agentId=${agent.id}`, undefined, ['soc-analyst'])).items;
    expect(incident.status).toBe('released');
    const release = incident.actions.find((a: { kind: string }) => a.kind === 'release');
    expect(release.receipts).toEqual([expect.objectContaining({ connector: system.issuerConnector, status: 'confirmed' })]);
  }, 180_000);

  it('explains a separation-of-duties refusal: the analyst who ordered a containment cannot release it', async () => {
    const other = await system.api('provisioner', 'POST', '/agents', {
      name: 'invoice-bot',
      ownerId: agent.ownerId,
      purpose: 'billing',
      platform: 'langgraph',
      riskTier: 'high',
      scopes: ['billing.read'],
    });
    // Sam logs the agent out through the API, as sam (a token from the realm's own login form).
    const sam = await signInThroughLoginForm(system.realm, system.realm.user('sam'), `${system.console.url}/callback`);
    const ordered = await fetch(`${system.console.url}/api/containment/agents/${other.id}/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sam.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'suspicious invoices' }),
    });
    expect(ordered.status).toBe(202);
    const { incidentId } = (await ordered.json()) as { incidentId: string };
    await waitFor(
      async () => (await system.api('containment', 'GET', `/incidents/${incidentId}`, undefined, ['soc-analyst'])).status,
      (status) => status === 'contained',
      { what: 'the containment sam ordered' },
    );

    const page = await system.newPage();
    await system.signIn(page, 'sam', `/incidents/${incidentId}`);
    await page.getByRole('button', { name: 'Release' }).click();
    await page.getByLabel('Reason (required, recorded in the audit trail)').fill('I changed my mind');
    await page.getByRole('button', { name: 'Release the agent' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('You ordered this containment yourself, so another analyst must release it');
    expect(await refusal.innerText()).toContain('403 SEPARATION_OF_DUTIES');
    await screenshot(page, 'separation-of-duties.png');
    expect((await system.api('containment', 'GET', `/incidents/${incidentId}`, undefined, ['soc-analyst'])).status).toBe('contained');
  }, 120_000);

  it('shows a person without the role no incidents, and the API refuses them; a reviewer sees no incidents either', async () => {
    const page = await system.newPage();
    await system.signIn(page, 'nora', '/incidents');
    await page.getByRole('heading', { name: 'No access yet' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').count()).toBe(0);
    expect(await page.locator('tr[data-incident-id]').count()).toBe(0);
    await screenshot(page, 'no-access.png');
    expect(await accessibilityProblems(page)).toEqual([]);

    for (const username of ['nora', 'rita']) {
      const token = (await signInThroughLoginForm(system.realm, system.realm.user(username), `${system.console.url}/callback`)).access_token;
      for (const path of ['/api/containment/incidents', `/api/behavior-baseliner/agents/${agent.id}/baseline`]) {
        const answer = await fetch(`${system.console.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect({ username, path, status: answer.status, code: ((await answer.json()) as { code: string }).code }).toEqual({
          username,
          path,
          status: 403,
          code: 'AUTH_FORBIDDEN',
        });
      }
    }

    const reviewer = await system.newPage();
    await system.signIn(reviewer, 'rita', '/incidents');
    await reviewer.getByRole('heading', { name: 'Not for your role' }).waitFor();
    expect(await reviewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).count()).toBe(0);
  }, 120_000);

  it('renews the access token before it expires, with the refresh token, and goes on working with the new one', async () => {
    // Tokens of 65 s: the console renews a minute before expiry, so within seconds of signing in.
    await system.realm.update({ accessTokenLifespan: 65 });
    try {
      const page = await system.newPage();
      const renewed = page.waitForResponse(
        (response) => response.url().endsWith('/protocol/openid-connect/token') && (response.request().postData() ?? '').includes('grant_type=refresh_token'),
        { timeout: 30_000 },
      );
      await system.signIn(page, 'alice', `/incidents?ownerId=${agent.ownerId}&status=`);
      expect((await renewed).status()).toBe(200);
      const refreshedCall = page.waitForResponse((response) => response.url().includes('/api/containment/incidents/') && response.status() === 200);
      await page.locator('tr[data-incident-id]').first().getByRole('link').click();
      await refreshedCall;
      await page.getByRole('heading', { name: 'Agent and owner' }).waitFor();
      expect(await page.evaluate('[localStorage.length, sessionStorage.length]')).toEqual([0, 0]);
    } finally {
      await system.realm.update({ accessTokenLifespan: 300 });
    }
  }, 90_000);

  it('signs out at the identity provider too: the next sign-in asks for the password again', async () => {
    const page = await system.newPage();
    await system.signIn(page, 'alice', '/incidents');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).origin).toBe(system.console.url);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#password').waitFor();
  }, 60_000);
});
