import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const RULE = '@nx/enforce-module-boundaries';

interface Message {
  ruleId: string | null;
  line: number;
  message: string;
}
interface Project {
  name: string;
  root: string;
  tags: string[];
}

/**
 * Every source the tests lint, by name: a file path in the workspace (it need not exist: its place decides its
 * project and its rules) and its code. A source named `<name> + canary` is the same code with one import after it
 * that the rule must refuse at that place: its error proves the rule ran on a file there, so that a legitimate
 * import passing means the rule let it pass, not that it skipped the file.
 */
const SOURCES: Record<string, { file: string; code: string }> = {};
function source(name: string, file: string, lines: string[], canary?: string): void {
  SOURCES[name] = { file, code: `${lines.join('\n')}\n` };
  if (canary) SOURCES[`${name} + canary`] = { file, code: `${[...lines, canary].join('\n')}\n` };
}

// Apps and production libraries.
source('app imports another app', 'apps/provisioner/src/probe.ts', [
  "import { AppModule } from '../../containment/src/app.module';",
  'export const x = AppModule;',
]);
source('contracts import Nest', 'libs/contracts/src/probe.ts', ["import { Injectable } from '@nestjs/common';", 'export const x = Injectable;']);
source('contracts import a core library', 'libs/contracts/src/probe.ts', ["import { sha256Hex } from '@agentgov/hash-chain';", 'export const x = sha256Hex;']);
source('messaging core imports Nest', 'libs/messaging/src/probe.ts', ["import { Module } from '@nestjs/common';", 'export const x = Module;']);
// The Nest layer over messaging (MessagingModule) lives in service-infrastructure.
source('messaging core imports its Nest layer', 'libs/messaging/src/probe.ts', [
  "import { MessagingModule } from '@agentgov/service-infrastructure';",
  'export const x = MessagingModule;',
]);
source('core library imports a Nest library', 'libs/revocation-connectors/src/probe.ts', [
  "import { mintDevToken } from '@agentgov/auth';",
  'export const x = mintDevToken;',
]);
source(
  'app imports shared libraries',
  'apps/provisioner/src/probe.ts',
  ["import { Topics } from '@agentgov/contracts';", "import { OutboxWriter } from '@agentgov/messaging';", 'export const x = [Topics, OutboxWriter];'],
  "import '@agentgov/test-support';",
);
source('core library imports test-support', 'libs/hash-chain/src/probe.ts', ["import { waitFor } from '@agentgov/test-support';", 'export const x = waitFor;']);
source('Nest library imports service-testing', 'libs/service-infrastructure/src/probe.ts', [
  "import { Stack } from '@agentgov/service-testing';",
  'export const x = Stack;',
]);
source('app imports test-support', 'apps/containment/src/probe.ts', ["import { uniqueName } from '@agentgov/test-support';", 'export const x = uniqueName;']);
source('app imports service-testing', 'apps/review-scheduler/src/probe.ts', [
  "import { ServiceHarness } from '@agentgov/service-testing';",
  'export const x = ServiceHarness;',
]);
source('script imports test-support', 'scripts/probe.ts', ["import { uniqueName } from '@agentgov/test-support';", 'export const x = uniqueName;']);
source('shipped script imports service-testing', 'scripts/db-migrate.ts', ["import { Stack } from '@agentgov/service-testing';", 'export const x = Stack;']);
source(
  'the local launcher runs the services through the Stack',
  'scripts/start-stack.ts',
  ["import { Stack } from '@agentgov/service-testing';", 'export const x = Stack;'],
  "import '../apps/provisioner/src/main';",
);
source(
  "a library's own spec imports test-support",
  'libs/hash-chain/src/probe.spec.ts',
  ["import { waitFor } from '@agentgov/test-support';", 'export const x = waitFor;'],
  "import '@agentgov/service-infrastructure';",
);
source(
  "an app's integration test imports service-testing",
  'apps/provisioner/test/integration/probe.integration-spec.ts',
  ["import { ServiceHarness } from '@agentgov/service-testing';", 'export const x = ServiceHarness;'],
  "import '../../../containment/src/main';",
);

// test/ and bench/: libraries, never an app's internals.
source('test imports an app service', 'test/e2e/probe.ts', [
  "import { ContainmentModule } from '../../apps/containment/src/containment.module';",
  'export const x = ContainmentModule;',
]);
source('test imports an app main', 'test/faults/probe.ts', ["import '../../apps/provisioner/src/main';"]);
source("test imports an app's test kit", 'test/faults/probe.ts', [
  "import { RecordingReceiver } from '../../apps/containment/test/support/recording-receiver';",
  'export const x = RecordingReceiver;',
]);
source("test imports another app's env spec under an app's name", 'test/deploy/probe.ts', [
  "import { CONTAINMENT_ENV } from '../../apps/provisioner/src/config/containment.env';",
  'export const x = CONTAINMENT_ENV;',
]);
source('bench imports an app internal', 'bench/containment/probe.ts', [
  "import { hashClientSecret } from '../../apps/provisioner/src/credentials/client-secret';",
  'export const x = hashClientSecret;',
]);
source('bench imports an app main', 'bench/probe.ts', ["import '../apps/containment/src/main';"]);
source(
  'test uses the libraries and an app env spec',
  'test/e2e/probe.ts',
  [
    "import { Topics } from '@agentgov/contracts';",
    "import { Stack } from '@agentgov/service-testing';",
    "import { waitFor } from '@agentgov/test-support';",
    "import { PROVISIONER_ENV } from '../../apps/provisioner/src/config/provisioner.env';",
    'export const x = [Topics, Stack, waitFor, PROVISIONER_ENV];',
  ],
  "import '../../apps/provisioner/src/main';",
);
source(
  'bench uses the libraries',
  'bench/containment/probe.ts',
  [
    "import { catalogTopics } from '@agentgov/messaging';",
    "import { ServiceHarness } from '@agentgov/service-testing';",
    'export const x = [catalogTopics, ServiceHarness];',
  ],
  "import '../../apps/containment/src/main';",
);
source(
  "a script migrates with each app's database definition",
  'scripts/probe.ts',
  [
    "import { PROVISIONER_MIGRATIONS } from '../apps/provisioner/src/database/provisioner.database';",
    "import { createKafkaClient } from '@agentgov/messaging';",
    'export const x = [PROVISIONER_MIGRATIONS, createKafkaClient];',
  ],
  "import '@agentgov/service-testing';",
);

/** Each source's boundary-rule messages, and the project graph the rule read. */
let linted: { projects: Project[] | null; results: Record<string, Message[]> };

function boundaryErrors(name: string): Message[] {
  if (!(name in linted.results)) throw new Error(`no source named "${name}"`);
  return linted.results[name]!.filter((m) => m.ruleId === RULE);
}

/** The boundary errors of a legitimate source (none expected) after proving, with its canary, that the rule ran there. */
function errorsAfterCanary(name: string): Message[] {
  const lines = SOURCES[name]!.code.split('\n').length - 1;
  const canary = boundaryErrors(`${name} + canary`);
  expect(canary.map((m) => m.line)).toEqual([lines + 1]);
  return boundaryErrors(name);
}

describe('module boundaries are enforced by the lint', () => {
  jest.setTimeout(120000);

  beforeAll(() => {
    // The rule reads Nx's cached project graph and skips itself when there is none (a fresh clone): as
    // `npm run lint` does, compute it first; the tests below then check that the rule did see it.
    const nx = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], { cwd: ROOT, encoding: 'utf8' });
    if (nx.status !== 0) throw new Error(`nx could not compute the project graph: ${nx.stderr}`);

    const names = Object.keys(SOURCES);
    // The report goes to a file: in CI the Nx plugin prints its own notices on stdout.
    const dir = mkdtempSync(path.join(tmpdir(), 'lint-report-'));
    const report = path.join(dir, 'report.json');
    try {
      const child = spawnSync(process.execPath, [path.join(__dirname, 'support/lint-sources.cjs'), report], {
        cwd: ROOT,
        input: JSON.stringify(names.map((n) => SOURCES[n])),
        encoding: 'utf8',
      });
      if (child.status !== 0) throw new Error(`linting failed: ${child.stderr}`);
      const out = JSON.parse(readFileSync(report, 'utf8')) as { projects: Project[] | null; results: Message[][] };
      linted = { projects: out.projects, results: Object.fromEntries(names.map((n, i) => [n, out.results[i]!])) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs with a project graph in which every linted file belongs to a tagged project', () => {
    if (!linted.projects) throw new Error('the boundary rule found no Nx project graph, so it skipped every check');
    const projectOf = (file: string) => linted.projects!.filter((p) => file.startsWith(`${p.root}/`)).sort((a, b) => b.root.length - a.root.length)[0];
    for (const { file } of Object.values(SOURCES)) {
      expect({ file, tags: projectOf(file)?.tags ?? 'no project: the rule skips the file' }).toEqual({ file, tags: [expect.stringMatching(/^type:/)] });
    }
    expect(linted.projects.filter((p) => ['test', 'bench', 'scripts'].includes(p.root)).map((p) => [p.root, p.tags])).toEqual(
      expect.arrayContaining([
        ['test', ['type:system-test']],
        ['bench', ['type:bench']],
        ['scripts', ['type:scripts']],
      ]),
    );
  });

  it('tags every project with exactly one of the kinds the constraints know', () => {
    const KINDS = ['type:contracts', 'type:core', 'type:nest', 'type:testing', 'type:app', 'type:system-test', 'type:bench', 'type:scripts'];
    const mistagged = (linted.projects ?? [])
      .filter((p) => p.tags.length !== 1 || !KINDS.includes(p.tags[0]!))
      .map((p) => `${p.root}: ${JSON.stringify(p.tags)}`);
    expect(mistagged).toEqual([]);
  });

  describe('apps and libraries', () => {
    it('refuses an app importing another app', () => {
      expect(boundaryErrors('app imports another app').length).toBeGreaterThan(0);
    });

    it('refuses the contracts importing Nest', () => {
      expect(
        boundaryErrors('contracts import Nest')
          .map((m) => m.message)
          .join('\n'),
      ).toMatch(/@nestjs\/common/);
    });

    it('refuses the contracts importing any library', () => {
      expect(boundaryErrors('contracts import a core library').map((m) => m.message)).toEqual([
        'A project tagged with "type:contracts" cannot depend on any libs with tags',
      ]);
    });

    it('refuses the framework-free messaging core importing Nest', () => {
      expect(
        boundaryErrors('messaging core imports Nest')
          .map((m) => m.message)
          .join('\n'),
      ).toMatch(/@nestjs\/common/);
    });

    it('refuses the framework-free messaging core importing the Nest layer over it', () => {
      expect(boundaryErrors('messaging core imports its Nest layer').length).toBeGreaterThan(0);
    });

    it('refuses a core library importing a Nest library', () => {
      expect(
        boundaryErrors('core library imports a Nest library')
          .map((m) => m.message)
          .join('\n'),
      ).toMatch(/"type:core" can only depend on libs tagged with "type:contracts", "type:core"/);
    });

    it('accepts an app importing shared libraries', () => {
      expect(errorsAfterCanary('app imports shared libraries')).toEqual([]);
    });
  });

  describe('test helpers stay in tests', () => {
    it.each([
      ['core library imports test-support', 'type:core'],
      ['Nest library imports service-testing', 'type:nest'],
      ['app imports test-support', 'type:app'],
      ['app imports service-testing', 'type:app'],
      ['script imports test-support', 'type:scripts'],
      ['shipped script imports service-testing', 'type:scripts'],
    ])('refuses production code importing a testing library: %s', (name, tag) => {
      expect(boundaryErrors(name).map((m) => m.message)).toEqual([
        expect.stringMatching(new RegExp(`^A project tagged with "${tag}" can only depend on libs tagged with (?!.*type:testing)`)),
      ]);
    });

    it("accepts a library's own spec and an app's integration test using them", () => {
      expect(errorsAfterCanary("a library's own spec imports test-support")).toEqual([]);
      expect(errorsAfterCanary("an app's integration test imports service-testing")).toEqual([]);
    });

    it('accepts the local launcher (npm start) using the Stack, which no image ships', () => {
      expect(errorsAfterCanary('the local launcher runs the services through the Stack')).toEqual([]);
    });
  });

  describe('test/, bench/ and scripts/ use the libraries, not the apps', () => {
    it.each([
      'test imports an app service',
      'test imports an app main',
      "test imports an app's test kit",
      "test imports another app's env spec under an app's name",
      'bench imports an app internal',
      'bench imports an app main',
    ])('refuses: %s', (name) => {
      expect(boundaryErrors(name).map((m) => m.message)).toEqual([
        'Projects cannot be imported by a relative or absolute path, and must begin with a npm scope',
      ]);
    });

    it.each(['test uses the libraries and an app env spec', 'bench uses the libraries', "a script migrates with each app's database definition"])(
      'accepts: %s',
      (name) => {
        expect(errorsAfterCanary(name)).toEqual([]);
      },
    );
  });
});
