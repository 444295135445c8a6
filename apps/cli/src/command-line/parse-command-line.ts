import { UsageError } from '../cli.errors';
import type { CommandSpec, OptionSpec } from '../command';
import { CommandArguments, OptionValue } from './command-arguments';
import { GLOBAL_OPTIONS, GlobalOptions, SERVICES } from './global-options';

export type ParsedCommandLine =
  /** Help on everything (path []), on a noun (["agents"]) or on a command (["agents", "list"]). */
  { kind: 'help'; path: string[]; globals: GlobalOptions } | { kind: 'run'; command: CommandSpec; args: CommandArguments; globals: GlobalOptions };

/** The words that start commands, and for each the commands under it: "agents" → list, show, tree. */
export function nouns(commands: readonly CommandSpec[]): Map<string, CommandSpec[]> {
  const byNoun = new Map<string, CommandSpec[]>();
  for (const command of commands) byNoun.set(command.name[0], [...(byNoun.get(command.name[0]) ?? []), command]);
  return byNoun;
}

function findOption(specs: Readonly<Record<string, OptionSpec>>, token: string): { name: string; spec: OptionSpec; inline?: string } | undefined {
  if (token.startsWith('--')) {
    const eq = token.indexOf('=');
    const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
    const spec = specs[name];
    return spec ? { name, spec, ...(eq < 0 ? {} : { inline: token.slice(eq + 1) }) } : undefined;
  }
  const short = Object.entries(specs).find(([, spec]) => spec.short !== undefined && `-${spec.short}` === token);
  return short ? { name: short[0], spec: short[1] } : undefined;
}

const looksLikeOption = (token: string) => token.startsWith('-') && token !== '-';

/**
 * `agentgov [global options] <noun> <verb> [arguments and options]`: global options anywhere, the command's own
 * after its words. Throws a UsageError naming what is wrong (and the command, when known, for its usage).
 */
export function parseCommandLine(argv: readonly string[], commands: readonly CommandSpec[]): ParsedCommandLine {
  const options = new Map<string, OptionValue>();
  const words: string[] = [];
  const positionals: string[] = [];
  let command: CommandSpec | undefined;
  let onlyPositionals = false;
  const byNoun = nouns(commands);
  const commandName = () => command?.name.join(' ');

  const resolve = () => {
    const noun = byNoun.get(words[0]);
    if (!noun) throw new UsageError(`unknown command "${words[0]}"; the commands are ${[...byNoun.keys()].join(', ')}`);
    if (noun.length === 1 && noun[0].name.length === 1) return noun[0];
    if (words.length < 2) return undefined;
    const found = noun.find((c) => c.name[1] === words[1]);
    if (!found) throw new UsageError(`unknown command "${words.join(' ')}"; ${words[0]} has ${noun.map((c) => c.name[1]).join(', ')}`, words[0]);
    return found;
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!onlyPositionals && token === '--') {
      onlyPositionals = true;
      continue;
    }
    if (onlyPositionals || !looksLikeOption(token)) {
      if (command) positionals.push(token);
      else {
        words.push(token);
        if (words[0] === 'help') continue;
        command = resolve();
      }
      continue;
    }
    const specs = command ? { ...GLOBAL_OPTIONS, ...command.options } : GLOBAL_OPTIONS;
    const option = findOption(specs, token);
    if (!option) {
      const where = command ? `"${commandName()}" has no option ${token}` : `unknown option ${token} (a command's options come after the command)`;
      throw new UsageError(`${where}`, commandName());
    }
    const { name, spec, inline } = option;
    if (spec.kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`, commandName());
      options.set(name, true);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`, commandName());
    if (inline === undefined) i++;
    if (spec.kind === 'list') {
      const previous = options.get(name);
      options.set(name, [...(Array.isArray(previous) ? previous : []), value]);
    } else {
      if (options.has(name)) throw new UsageError(`--${name} is given twice`, commandName());
      options.set(name, value);
    }
  }

  const globals: GlobalOptions = {
    json: options.get('json') === true,
    help: options.get('help') === true,
    token: typeof options.get('token') === 'string' ? (options.get('token') as string) : undefined,
    config: typeof options.get('config') === 'string' ? (options.get('config') as string) : undefined,
    urls: Object.fromEntries(SERVICES.flatMap((s) => (typeof options.get(`${s}-url`) === 'string' ? [[s, options.get(`${s}-url`) as string]] : []))),
  };

  if (words[0] === 'help') return { kind: 'help', path: words.slice(1), globals };
  if (globals.help) return { kind: 'help', path: command ? [...command.name] : words, globals };
  if (words.length === 0) throw new UsageError('no command given');
  if (!command) throw new UsageError(`"${words[0]}" needs a command: ${(byNoun.get(words[0]) ?? []).map((c) => c.name[1]).join(', ')}`, words[0]);

  const declared = command.positionals ?? [];
  const required = declared.filter((p) => !p.optional).length;
  if (positionals.length < required) {
    throw new UsageError(
      `missing ${declared
        .slice(positionals.length, required)
        .map((p) => `<${p.name}>`)
        .join(' ')}`,
      commandName(),
    );
  }
  if (positionals.length > declared.length) throw new UsageError(`unexpected "${positionals[declared.length]}"`, commandName());
  const named = new Map(positionals.map((value, i) => [declared[i].name, value]));
  return { kind: 'run', command, args: new CommandArguments(command, named, options), globals };
}
