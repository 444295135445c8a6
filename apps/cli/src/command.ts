import type { Progress, ProgressOptions } from '@agentgov/terminal-progress';

import type { ApiClient } from './api/api-client';
import type { CommandArguments } from './command-line/command-arguments';
import type { Session } from './session/session';
import type { Settings } from './settings/settings';

/** `flag`: present or not; `value`: once, with a value; `list`: repeatable, each with a value. */
export type OptionKind = 'flag' | 'value' | 'list';

export interface OptionSpec {
  kind: OptionKind;
  description: string;
  /** The value's placeholder in the help, e.g. "ID" (value and list options). */
  value?: string;
  /** A one-letter alias, e.g. "h". */
  short?: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
}

/** What a command hands back: `data` is printed as JSON with --json, `text` is what a person reads otherwise. */
export interface CommandOutput {
  data: unknown;
  text: string;
  /** A command that ran but found something wrong (a broken audit chain): exit 1 after printing the output. */
  failed?: boolean;
}

/** Where a command writes besides its output: messages and progress, on stderr, never mixed with the output. */
export interface CommandIo {
  message(line: string): void;
  progress(options: Omit<ProgressOptions, 'stream'>): Progress;
}

export interface CommandContext {
  api: ApiClient;
  session: Session;
  settings: Settings;
  io: CommandIo;
  /** The process environment (Kafka settings for the dead-letter commands). */
  env: Readonly<Record<string, string | undefined>>;
}

export interface CommandSpec {
  /** One or two words: ["agents", "list"], ["login"]. */
  name: readonly string[];
  /** One line, in the command list. */
  summary: string;
  /** More, in the command's own help. */
  description?: string;
  positionals?: readonly PositionalSpec[];
  options?: Readonly<Record<string, OptionSpec>>;
  examples?: readonly string[];
  run(context: CommandContext, args: CommandArguments): Promise<CommandOutput>;
}
