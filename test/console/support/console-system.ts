import { randomUUID } from 'node:crypto';

import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

import { Role } from '@agentgov/auth';
import { TopicPayloads, Topics } from '@agentgov/contracts';
import { ConsoleServer, Stack } from '@agentgov/service-testing';
import { CONSOLE_ROLE_MAP, CONSOLE_ROLES_CLAIM, ConsoleRealm, createConsoleTestRealm, freePort, waitFor, withTestDatabase } from '@agentgov/test-support';

export const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Debian's Chromium, driven by Playwright: the browser the console is tested in. */
export const CHROMIUM = '/usr/bin/chromium';
/** A laptop screen: the console must be usable at this size. */
export const LAPTOP = { width: 1366, height: 768 };

export interface SeededAgent {
  id: string;
  name: string;
  ownerId: string;
  ownerName: string;
}

/**
 * The whole console as people use it: a realm of its own at the real local Keycloak (the console's client, its roles
 * and people), the four services trusting that realm for people (AUTH_OIDC_*) beside the stack's own token key, the
 * console's server in front of them, and Debian's Chromium. Containment logs agents out at the provisioner's built-in
 * issuer, whose receipts the console shows.
 */
export class ConsoleSystem {
  realm!: ConsoleRealm;
  stack!: Stack;
  console!: ConsoleServer;
  browser!: Browser;
  private readonly contexts: BrowserContext[] = [];
  readonly issuerConnector = `console-issuer-${randomUUID().slice(0, 8)}`;

  async start(): Promise<void> {
    const port = await freePort();
    this.realm = await createConsoleTestRealm({ origins: [`http://127.0.0.1:${port}`], audience: 'agentgov' });
    const people = {
      AUTH_OIDC_ISSUER: this.realm.issuer,
      AUTH_OIDC_AUDIENCE: 'agentgov',
      AUTH_OIDC_ROLES_CLAIM: CONSOLE_ROLES_CLAIM,
      AUTH_OIDC_ROLE_MAP: CONSOLE_ROLE_MAP,
      AUTH_OIDC_SUBJECT_CLAIM: 'preferred_username',
    };
    this.stack = new Stack({
      env: people,
      services: {
        'behavior-baseliner': { SCORING_CHECKPOINT_INTERVAL_MS: '500' },
        containment: { INCIDENT_STREAM_HEARTBEAT_MS: '2000' },
      },
      connectors: async (provisioner) => [
        {
          name: this.issuerConnector,
          type: 'builtin-issuer',
          baseUrl: provisioner.url,
          bearerToken: await provisioner.token(['revoke-tokens'], 'containment-service'),
        },
      ],
    });
    try {
      await this.stack.start();
      this.console = ConsoleServer.forStack(this.stack, {
        issuer: this.realm.issuer,
        roleMap: CONSOLE_ROLE_MAP,
        rolesClaim: CONSOLE_ROLES_CLAIM,
        subjectClaim: 'preferred_username',
        port,
      });
      await this.console.start();
      this.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.browser?.close().catch(() => undefined);
    await this.console?.stop();
    await this.stack?.stop();
    await this.realm?.remove();
  }

  /** A fresh browser (no cookies, no storage) at a laptop's screen size. */
  async newPage(): Promise<Page> {
    const context = await this.browser.newContext({ viewport: LAPTOP });
    this.contexts.push(context);
    return context.newPage();
  }

  /** Opens the console and signs in through the realm's real login page; returns once the console shows the person. */
  async signIn(page: Page, username: string, path = '/'): Promise<void> {
    await page.goto(`${this.console.url}${path}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.origin === new URL(this.realm.issuer).origin);
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(this.realm.user(username).password);
    await page.locator('#kc-login').click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  /** A service API call with a token of the stack's own key (set-up only; people act through the browser). */
  async api(
    service: 'provisioner' | 'behavior-baseliner' | 'containment',
    method: string,
    path: string,
    body?: unknown,
    roles: Role[] = ['admin'],
  ): Promise<any> {
    const answer = await this.stack.harness(service).request(method, path, body, roles, 'console-test-setup');
    if (answer.status >= 300) throw new Error(`${method} ${service}${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** An owner and a critical agent of theirs that read about 15 CRM records a day for two weeks, learnt by the baseliner. */
  async agentWithHistory(): Promise<SeededAgent> {
    const run = randomUUID().slice(0, 6);
    const owner = await this.api('provisioner', 'POST', '/owners', { email: `dana.owner+${run}@example.com`, displayName: 'Dana Owner' });
    const agent = await this.api('provisioner', 'POST', '/agents', {
      name: `crm-sync-${run}`,
      ownerId: owner.id,
      purpose: 'crm-sync',
      platform: 'langgraph',
      riskTier: 'critical',
      scopes: ['crm.read', 'crm.write'],
    });
    const today = Math.floor(Date.now() / DAY) * DAY;
    // Its working hours surround the hour the burst comes in, whatever time the test runs: a burst at an hour it never
    // works would also be an "unusual hour" anomaly, and which of the two the queue shows first would depend on the clock.
    const firstHour = (Math.floor((Date.now() - today) / HOUR) + 24 - 3) % 24;
    const history: TopicPayloads['agent.activity.v1'][] = [];
    for (let day = 14; day >= 1; day--) {
      for (let k = 0; k < 15; k++) history.push(this.read(agent.id, today - day * DAY + ((firstHour + k * 0.5) % 24) * HOUR, 1));
    }
    // The registry's announcement reaches the baseliner and containment first (it travels on another topic): activity
    // of an agent they do not know yet would be a shadow agent's.
    await waitFor(
      () =>
        withTestDatabase(async (c) => {
          const known = async (schema: string) =>
            (await c.query(`SELECT count(*)::int AS n FROM "${schema}"."known_agents" WHERE "agent_id" = $1`, [agent.id])).rows[0].n as number;
          return (await known('behavior_baseliner')) + (await known('containment'));
        }),
      (n) => n === 2,
      { what: 'the baseliner and containment to learn the agent', timeoutMs: 30_000 },
    );
    await this.stack.baseliner.publish(
      Topics.AgentActivity,
      history.map((data) => ({ data })),
    );
    await waitFor(
      async () => (await this.stack.baseliner.request('GET', `/agents/${agent.id}/baseline`, undefined, ['admin'])).body,
      (b) => b?.eventsLearnt >= history.length,
      { what: 'the baseliner to learn the history', timeoutMs: 30_000 },
    );
    return { id: agent.id, name: agent.name, ownerId: owner.id, ownerName: owner.displayName };
  }

  /** 500 records in ten minutes: 100 reads of 5 records, in the current hour. */
  async burst(agentId: string): Promise<void> {
    const start = Math.floor(Date.now() / HOUR) * HOUR + 30_000;
    await this.stack.baseliner.publish(
      Topics.AgentActivity,
      Array.from({ length: 100 }, (_, i) => ({ data: this.read(agentId, start + i * 6000, 5) })),
    );
  }

  private read(agentId: string, at: number, recordsTouched: number): TopicPayloads['agent.activity.v1'] {
    return {
      agentId,
      occurredAt: new Date(at).toISOString(),
      action: 'crm.read',
      resourceType: 'crm.contact',
      tool: 'crm-api',
      recordsTouched,
      outcome: 'allowed',
    };
  }
}
