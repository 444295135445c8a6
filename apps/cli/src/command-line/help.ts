import { UsageError } from '../cli.errors';
import type { CommandSpec, OptionSpec } from '../command';
import { GLOBAL_OPTIONS } from './global-options';
import { nouns } from './parse-command-line';

const NOUN_SUMMARIES: Readonly<Record<string, string>> = {
  agents: 'the agent registry: list, show, delegation tree, baseline',
  owners: 'the people accountable for agents: show, offboard',
  incidents: "containment's incidents: list, show, acknowledge, release, confirm, close",
  reviews: 'access certifications: list, certify, revoke',
  policy: 'the containment policy: get, versions, set',
  audit: 'the audit trails: verify their hash chains',
  'dead-letters': 'messages the consumers gave up on: list, replay',
};

function usageLine(command: CommandSpec): string {
  const positionals = (command.positionals ?? []).map((p) => (p.optional ? `[${p.name}]` : `<${p.name}>`));
  const options = Object.keys(command.options ?? {}).length > 0 ? ['[options]'] : [];
  return ['agentgov', ...command.name, ...positionals, ...options].join(' ');
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}${spec.kind === 'list' ? ' (repeatable)' : ''}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(0, ...rows.map(([flag]) => flag.length));
  return rows.map(([flag, description]) => `  ${flag.padEnd(width)}  ${description}`);
}

function columns(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function topLevelHelp(commands: readonly CommandSpec[]): string {
  const byNoun = nouns(commands);
  const rows: Array<readonly [string, string]> = [];
  for (const [noun, list] of byNoun) {
    if (list.length === 1 && list[0].name.length === 1) rows.push([noun, list[0].summary]);
    else rows.push([noun, NOUN_SUMMARIES[noun] ?? list.map((c) => c.name[1]).join(', ')]);
  }
  return [
    'agentgov: the operator’s command line for agentgov (agents, owners, incidents, reviews, policy, audit, dead letters)',
    '',
    'usage: agentgov <command> [<verb>] [arguments] [options]',
    '',
    'commands:',
    ...columns(rows),
    '',
    'options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Sign in with `agentgov login`, or give a token with --token or AGENTGOV_TOKEN. Service URLs default to',
    'http://127.0.0.1:3001 (provisioner), :3002 (baseliner), :3003 (containment) and :3004 (review-scheduler);',
    'change them with the --<service>-url options, AGENTGOV_<SERVICE>_URL or the configuration file.',
    'Exit codes: 0 done, 1 failed, 2 wrong command line. `agentgov <command> --help` says more about each.',
  ].join('\n');
}

function nounHelp(noun: string, list: readonly CommandSpec[]): string {
  return [
    `agentgov ${noun}: ${NOUN_SUMMARIES[noun] ?? ''}`.trimEnd(),
    '',
    'commands:',
    ...columns(list.map((c) => [c.name.join(' '), c.summary] as const)),
    '',
    `\`agentgov ${noun} <verb> --help\` for each command's arguments and options.`,
  ].join('\n');
}

export function commandHelp(command: CommandSpec): string {
  const positionals = command.positionals ?? [];
  return [
    `usage: ${usageLine(command)}`,
    '',
    command.summary,
    ...(command.description ? ['', command.description] : []),
    ...(positionals.length ? ['', 'arguments:', ...columns(positionals.map((p) => [`<${p.name}>`, p.description] as const))] : []),
    ...(Object.keys(command.options ?? {}).length ? ['', 'options:', ...optionLines(command.options ?? {})] : []),
    '',
    'and the options of every command (--json, --token, --config, --<service>-url): `agentgov --help`.',
    ...(command.examples?.length ? ['', 'examples:', ...command.examples.map((e) => `  ${e}`)] : []),
  ].join('\n');
}

/** The help for a path of words: [] for everything, [noun], or a command's name. */
export function helpFor(path: readonly string[], commands: readonly CommandSpec[]): string {
  if (path.length === 0) return topLevelHelp(commands);
  const byNoun = nouns(commands);
  const list = byNoun.get(path[0]);
  if (!list) throw new UsageError(`no help on "${path.join(' ')}": there is no such command`);
  if (list.length === 1 && list[0].name.length === 1) return commandHelp(list[0]);
  if (path.length === 1) return nounHelp(path[0], list);
  const command = list.find((c) => c.name[1] === path[1]);
  if (!command) throw new UsageError(`no help on "${path.join(' ')}": ${path[0]} has ${list.map((c) => c.name[1]).join(', ')}`, path[0]);
  return commandHelp(command);
}

/** The short usage shown under a usage error: the command's, the noun's, or the top level's first lines. */
export function usageFor(path: string | undefined, commands: readonly CommandSpec[]): string {
  if (!path) return 'usage: agentgov <command> [<verb>] [arguments] [options]; `agentgov --help` lists the commands';
  const words = path.split(' ');
  const command = commands.find((c) => c.name.join(' ') === path);
  if (command) return `usage: ${usageLine(command)}; \`agentgov ${path} --help\` for more`;
  return `commands of ${words[0]}: ${(nouns(commands).get(words[0]) ?? []).map((c) => c.name.join(' ')).join(', ')}`;
}
