import { UsageError } from '../cli.errors';
import type { CommandSpec } from '../command';

export type OptionValue = string | string[] | true;

/** A command's positionals and options as the command line gave them, read with the checks the command needs. */
export class CommandArguments {
  constructor(
    readonly command: CommandSpec,
    private readonly positionals: ReadonlyMap<string, string>,
    private readonly options: ReadonlyMap<string, OptionValue>,
  ) {}

  private get commandName(): string {
    return this.command.name.join(' ');
  }

  /** A positional the command declares (required ones are always there: the parser checked). */
  positional(name: string): string | undefined {
    return this.positionals.get(name);
  }

  requiredPositional(name: string): string {
    const value = this.positionals.get(name);
    if (value === undefined) throw new UsageError(`<${name}> is missing`, this.commandName);
    return value;
  }

  flag(name: string): boolean {
    return this.options.get(name) === true;
  }

  value(name: string): string | undefined {
    const value = this.options.get(name);
    return typeof value === 'string' ? value : undefined;
  }

  requiredValue(name: string): string {
    const value = this.value(name);
    if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required`, this.commandName);
    return value;
  }

  list(name: string): string[] {
    const value = this.options.get(name);
    return Array.isArray(value) ? value : [];
  }

  /** A whole number within bounds, or undefined when the option is absent. */
  integer(name: string, bounds: { min: number; max: number }): number | undefined {
    const raw = this.value(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || n < bounds.min || n > bounds.max) {
      throw new UsageError(`--${name} must be a whole number from ${bounds.min} to ${bounds.max}, not "${raw}"`, this.commandName);
    }
    return n;
  }

  /** One of the allowed values (each of a comma list with `several`), or undefined when the option is absent. */
  choice<T extends string>(name: string, allowed: readonly T[], several = false): T | undefined {
    const raw = this.value(name);
    if (raw === undefined) return undefined;
    const values = several ? raw.split(',') : [raw];
    const wrong = values.filter((v) => !(allowed as readonly string[]).includes(v));
    if (wrong.length > 0)
      throw new UsageError(`--${name} takes ${several ? 'a comma list of ' : ''}${allowed.join(', ')}, not "${wrong.join(',')}"`, this.commandName);
    return raw as T;
  }
}
