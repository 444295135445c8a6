import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import axe from 'axe-core';
import { Page } from 'playwright-core';

import { REPO_ROOT } from '@agentgov/test-support';

const SCREENSHOTS = join(REPO_ROOT, 'docs/screenshots');

/** axe-core's findings on the page as it is now, keeping the serious and critical ones (WCAG 2 A and AA, best practices). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy (no inline script) does not govern.
  await page.evaluate(axe.source);
  // Page code as text: it runs in the browser, whose globals this compilation does not know.
  const options = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] } };
  const result = (await page.evaluate(`axe.run(document, ${JSON.stringify(options)})`)) as axe.AxeResults;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
}

/** A screenshot for the README (docs/screenshots/<name>). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage });
}
