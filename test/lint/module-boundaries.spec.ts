import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Lints a snippet as if it were a file at `file` in the workspace, with the real CLI and config (in a child
 * process: the flat config is an ES module, which jest's module system cannot load), and returns the
 * boundary rule's messages.
 */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  // The report goes to a file: in CI the Nx plugin prints its own notices on stdout.
  const dir = mkdtempSync(path.join(tmpdir(), 'lint-report-'));
  const report = path.join(dir, 'report.json');
  try {
    const cli = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/eslint/bin/eslint.js'),
        '--stdin',
        '--stdin-filename',
        path.join(ROOT, file),
        '--format',
        'json',
        '--output-file',
        report,
      ],
      { cwd: ROOT, input: code, encoding: 'utf8' },
    );
    if (cli.status === 2) throw new Error(`eslint failed: ${cli.stderr}`);
    const [result] = JSON.parse(readFileSync(report, 'utf8')) as Array<{
      messages: Array<{ ruleId: string | null; message: string }>;
    }>;
    return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('module boundaries are enforced by the lint', () => {
  jest.setTimeout(60000);

  // The rule reads Nx's cached project graph and skips itself when there is none (a fresh clone), as
  // `npm run lint` does, compute it first.
  beforeAll(() => {
    const nx = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (nx.status !== 0) throw new Error(`nx could not compute the project graph: ${nx.stderr}`);
  });

  it('refuses an app importing another app', async () => {
    const errors = await boundaryErrors(
      'apps/provisioner/src/probe.ts',
      "import { AppModule } from '../../containment/src/app.module';\nexport const x = AppModule;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('refuses the contracts importing Nest', async () => {
    const errors = await boundaryErrors(
      'libs/contracts/src/probe.ts',
      "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    );
    expect(errors.join('\n')).toMatch(/@nestjs\/common/);
  });

  it('refuses the framework-free messaging core importing Nest', async () => {
    const errors = await boundaryErrors(
      'libs/messaging/src/probe.ts',
      "import { Module } from '@nestjs/common';\nexport const x = Module;\n",
    );
    expect(errors.join('\n')).toMatch(/@nestjs\/common/);
  });

  it('refuses the framework-free messaging core importing the Nest layer over it', async () => {
    const errors = await boundaryErrors(
      'libs/messaging/src/probe.ts',
      "import { MessagingModule } from '@agentgov/messaging-nest';\nexport const x = MessagingModule;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('accepts an app importing shared libraries', async () => {
    const errors = await boundaryErrors(
      'apps/provisioner/src/probe.ts',
      "import { Topics } from '@agentgov/contracts';\nimport { OutboxWriter } from '@agentgov/messaging';\nexport const x = [Topics, OutboxWriter];\n",
    );
    expect(errors).toEqual([]);
  });
});
