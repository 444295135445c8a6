import { DockerfileParser, Instruction } from 'dockerfile-ast';

import { EnvSpec, RUNTIME_ROUTES } from '@agentgov/service-runtime';

export interface DockerfileCheckInput {
  dockerfile: string;
  /** Env spec per app folder name: one target per app. */
  specs: Record<string, EnvSpec>;
  /** Entry files tsconfig.build.json compiles (its `files`): what dist/ will hold. */
  builtFiles: readonly string[];
}

interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|_KEY$|^DATABASE_URL$/i;

export function dockerTargets(dockerfile: string): string[] {
  return DockerfileParser.parse(dockerfile)
    .getFROMs()
    .map((from) => from.getBuildStage())
    .filter((name): name is string => !!name);
}

/** Every way the Dockerfile falls short of what the deployment expects of its images; empty when it does not. */
export function checkDockerfile({ dockerfile, specs, builtFiles }: DockerfileCheckInput): string[] {
  const problems: string[] = [];
  const parsed = DockerfileParser.parse(dockerfile);
  const stages: Stage[] = [];
  for (const instruction of parsed.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = parsed.getFROMs().find((f) => f.getRange().start.line === instruction.getRange().start.line)!;
      stages.push({ name: from.getBuildStage() ?? `#${stages.length}`, base: from.getImageName() ?? '', instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  const stage = (name: string) => stages.find((s) => s.name === name);
  /** The stage and the stages it is built FROM, nearest first. */
  const lineage = (name: string): Stage[] => {
    const chain: Stage[] = [];
    for (let s = stage(name); s && !chain.includes(s); s = stage(s.base)) chain.push(s);
    return chain;
  };
  const last = (name: string, keyword: string) =>
    lineage(name)
      .flatMap((s) => [...s.instructions].reverse())
      .find((i) => i.getKeyword() === keyword);
  const args = (i: Instruction | undefined) => i?.getArgumentsContent() ?? '';

  for (const arg of parsed.getARGs()) {
    const value = arg.getProperty()?.getValue() ?? '';
    if (arg.getProperty()?.getName() === 'NODE_IMAGE' && !/^node:\d+\.\d+\.\d+-[a-z]+(-slim)?(@sha256:[0-9a-f]{64})?$/.test(value)) {
      problems.push(`the Node.js base image "${value}" is not pinned to a full version`);
    }
  }
  for (const instruction of parsed.getInstructions().filter((i) => ['ENV', 'ARG'].includes(i.getKeyword()))) {
    const names =
      instruction.getKeyword() === 'ENV' ? (instruction as any).getProperties().map((p: any) => p.getName()) : [(instruction as any).getProperty()?.getName()];
    for (const name of names) {
      const declaredSecret = Object.values(specs).some((spec) => spec[name]?.isSecret);
      if (declaredSecret || SECRET_NAME.test(name)) problems.push(`${instruction.getKeyword()} ${name} bakes a secret into the image`);
    }
  }

  const prodDeps = stages.filter((s) => s.instructions.some((i) => i.getKeyword() === 'RUN' && /\bnpm ci\b/.test(args(i)) && /--omit=dev\b/.test(args(i))));
  if (prodDeps.length === 0) problems.push('no stage installs production dependencies only (npm ci --omit=dev)');

  for (const target of [...Object.keys(specs), 'migrate']) {
    if (!stage(target)) {
      problems.push(`there is no "${target}" target`);
      continue;
    }
    const user = args(last(target, 'USER'));
    const uid = user.split(':')[0] ?? '';
    if (!/^\d+$/.test(uid) || Number(uid) === 0) problems.push(`target "${target}" does not run as a numeric non-root user (USER ${user || 'unset'})`);
    const modules = lineage(target)
      .flatMap((s) => s.instructions)
      .filter((i) => i.getKeyword() === 'COPY' && /node_modules/.test(args(i)));
    if (modules.length === 0 || modules.some((i) => !prodDeps.some((p) => (i as any).getFromFlag?.()?.getValue() === p.name))) {
      problems.push(`target "${target}" takes node_modules from somewhere else than a production-only install`);
    }
    const cmd = parseJsonArray(args(last(target, 'CMD')));
    if (!cmd || cmd[0] !== 'node' || !cmd[1]) {
      problems.push(`target "${target}" does not start with an exec-form CMD ["node", <file>]`);
      continue;
    }
    const entry = cmd[1].replace(/^dist\//, '').replace(/\.js$/, '.ts');
    if (!builtFiles.includes(entry)) problems.push(`target "${target}" runs ${cmd[1]}, which the build (tsconfig.build.json) does not produce`);
    if (target === 'migrate') continue;

    if (entry !== `apps/${target}/src/main.ts`) problems.push(`target "${target}" runs ${cmd[1]}, not its app's main`);
    const port = specs[target]!['HTTP_PORT']?.defaultValue;
    const expose = args(last(target, 'EXPOSE'));
    if (Number(expose) !== port) problems.push(`target "${target}" exposes ${expose || 'nothing'}, but the app listens on ${port}`);
    const healthcheck = args(last(target, 'HEALTHCHECK'));
    if (!healthcheck.includes(`${RUNTIME_ROUTES.ready}'`) || !healthcheck.includes(`|| ${port})`) || !/CMD \["node",/.test(healthcheck)) {
      problems.push(`target "${target}" has no HEALTHCHECK calling ${RUNTIME_ROUTES.ready} on port ${port} with node`);
    }
  }
  return problems;
}

function parseJsonArray(text: string): string[] | undefined {
  try {
    const value = JSON.parse(text);
    return Array.isArray(value) ? value.map(String) : undefined;
  } catch {
    return undefined;
  }
}
