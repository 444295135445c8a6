import { createProgress, ProgressStream } from '@agentgov/terminal-progress';

import { ApiClient } from './api/api-client';
import { CommandFailure, ExitCode, UsageError } from './cli.errors';
import type { CommandIo, CommandSpec } from './command';
import { helpFor, usageFor } from './command-line/help';
import { parseCommandLine } from './command-line/parse-command-line';
import { COMMANDS } from './commands/commands';
import { CredentialsStore } from './session/credentials-store';
import { Session } from './session/session';
import { loadSettings } from './settings/settings';

export interface CliProcess {
  env: Readonly<Record<string, string | undefined>>;
  /** The command's output: text, or JSON with --json. */
  stdout: { write(chunk: string): unknown };
  /** Messages, errors and progress. */
  stderr: ProgressStream;
}

/** JSON that survives the Kafka offsets' bigints. */
const toJson = (value: unknown) => JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v), 2);

function reportError(error: Error, exitCode: ExitCode, json: boolean, io: CliProcess, commands: readonly CommandSpec[]): ExitCode {
  const details = error instanceof CommandFailure ? error.details : {};
  const usage = error instanceof UsageError ? usageFor(error.command, commands) : undefined;
  io.stderr.write(`agentgov: ${error.message}\n${details.hint ? `  ${details.hint}\n` : ''}${usage ? `${usage}\n` : ''}`);
  if (json) io.stdout.write(`${toJson({ error: { message: error.message, ...details, exitCode } })}\n`);
  return exitCode;
}

/**
 * Runs one command line: parses it, runs the command, prints its output (stdout) or its error in words (stderr, and
 * as JSON on stdout with --json), and answers the exit code: 0 done, 1 failed, 2 wrong command line.
 */
export async function runCli(argv: readonly string[], io: CliProcess, commands: readonly CommandSpec[] = COMMANDS): Promise<ExitCode> {
  let json = argv.includes('--json');
  try {
    const parsed = parseCommandLine(argv, commands);
    json = parsed.globals.json;
    if (parsed.kind === 'help') {
      io.stdout.write(`${helpFor(parsed.path, commands)}\n`);
      return ExitCode.Ok;
    }
    const settings = loadSettings(parsed.globals, io.env);
    const session = new Session({ flagToken: parsed.globals.token, envToken: io.env['AGENTGOV_TOKEN'], store: new CredentialsStore(settings.configDir) });
    const commandIo: CommandIo = {
      message: (line) => io.stderr.write(`${line}\n`),
      progress: (options) => createProgress({ ...options, stream: io.stderr }),
    };
    const output = await parsed.command.run({ api: new ApiClient(settings.urls, session), session, settings, io: commandIo, env: io.env }, parsed.args);
    io.stdout.write(`${json ? toJson(output.data) : output.text}\n`);
    return output.failed ? ExitCode.Failure : ExitCode.Ok;
  } catch (error) {
    if (error instanceof UsageError) return reportError(error, ExitCode.Usage, json, io, commands);
    if (error instanceof CommandFailure) return reportError(error, ExitCode.Failure, json, io, commands);
    // A bug, not the operator's doing: its message, and the stack only when asked for.
    const unexpected = error instanceof Error ? error : new Error(String(error));
    if (io.env['AGENTGOV_DEBUG']) io.stderr.write(`${unexpected.stack}\n`);
    return reportError(
      new CommandFailure(`unexpected error: ${unexpected.message}`, { hint: 'AGENTGOV_DEBUG=1 shows where it happened' }),
      ExitCode.Failure,
      json,
      io,
      commands,
    );
  }
}
