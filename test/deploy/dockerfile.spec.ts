import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { REPO_ROOT, SPECS } from './deploy-fixtures';
import { checkDockerfile, dockerTargets } from './dockerfile-checker';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');
const buildConfig = () => JSON.parse(read('tsconfig.build.json')) as { files: string[]; compilerOptions: { outDir: string; rootDir: string } };
const check = (dockerfile: string) => checkDockerfile({ dockerfile, specs: SPECS, builtFiles: buildConfig().files });

describe('Dockerfile', () => {
  it('has a target per service and migrate: production dependencies only, non-root, health-checked, no secret baked in', () => {
    expect(dockerTargets(read('Dockerfile'))).toEqual(
      expect.arrayContaining(['migrate', 'provisioner', 'behavior-baseliner', 'containment', 'review-scheduler']),
    );
    expect(check(read('Dockerfile'))).toEqual([]);
  });

  it('has every target docker-compose.yml builds', () => {
    const services = Object.values(parse(read('docker-compose.yml')).services) as { build?: { target?: string } }[];
    const targets = services.filter((s) => s.build).map((s) => s.build!.target);

    expect(targets.sort()).toEqual(['behavior-baseliner', 'containment', 'migrate', 'provisioner', 'review-scheduler']);
    for (const target of targets) expect(dockerTargets(read('Dockerfile'))).toContain(target);
  });

  it('is built from a tsc build that keeps the folder structure, with the baseliner worker thread beside its supervisor', () => {
    const config = buildConfig();

    // scoring-threads.ts starts `scoring-worker${its own extension}` from its own folder: dist must hold it there.
    expect(read('apps/behavior-baseliner/src/scoring/scoring-threads.ts')).toContain(
      "resolve(__dirname, `scoring-worker${__filename.slice(__filename.lastIndexOf('.'))}`)",
    );
    expect(config.files).toContain('apps/behavior-baseliner/src/scoring/scoring-worker.ts');
    expect(config.files).toContain('scripts/wait-for-migrations.ts');
    expect(config.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
    expect(read('.gitignore').split('\n')).toContain('dist/');
    expect(read('.dockerignore').split('\n').slice(0, 3)).toContain('*');
  });

  it('catches each kind of mistake in a deliberately wrong copy', () => {
    const wrong = read('Dockerfile')
      .replace('ARG NODE_IMAGE=node:20.20.2-bookworm-slim', 'ARG NODE_IMAGE=node:latest')
      .replace('npm ci --omit=dev --ignore-scripts', 'npm ci --ignore-scripts')
      .replace('USER 1000:1000', 'USER root')
      .replace('    TMPDIR=/tmp', '    TMPDIR=/tmp \\\n    ISSUER_KEY_ENCRYPTION_KEY=c2VjcmV0')
      .replace('EXPOSE 3002', 'EXPOSE 3999')
      .replace(/(FROM runtime AS containment[\s\S]*?)HEALTHCHECK[^\n]*\n[^\n]*\n/, '$1')
      .replace('CMD ["node", "dist/apps/review-scheduler/src/main.js"]', 'CMD node dist/apps/review-scheduler/src/main.js')
      .replace('FROM runtime AS provisioner', 'FROM runtime AS provisioner-api');

    expect(check(wrong)).toEqual([
      'the Node.js base image "node:latest" is not pinned to a full version',
      'ENV ISSUER_KEY_ENCRYPTION_KEY bakes a secret into the image',
      'no stage installs production dependencies only (npm ci --omit=dev)',
      'there is no "provisioner" target',
      'target "behavior-baseliner" does not run as a numeric non-root user (USER root)',
      'target "behavior-baseliner" takes node_modules from somewhere else than a production-only install',
      'target "behavior-baseliner" exposes 3999, but the app listens on 3002',
      'target "containment" does not run as a numeric non-root user (USER root)',
      'target "containment" takes node_modules from somewhere else than a production-only install',
      'target "containment" has no HEALTHCHECK calling /health/ready on port 3003 with node',
      'target "review-scheduler" does not run as a numeric non-root user (USER root)',
      'target "review-scheduler" takes node_modules from somewhere else than a production-only install',
      'target "review-scheduler" does not start with an exec-form CMD ["node", <file>]',
      'target "migrate" does not run as a numeric non-root user (USER root)',
      'target "migrate" takes node_modules from somewhere else than a production-only install',
    ]);
  });
});
