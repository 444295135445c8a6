import { COMMANDS } from '../commands/commands';
import { helpFor, usageFor } from './help';

describe('help', () => {
  it('lists every command word at the top, with the options of every command and the exit codes', () => {
    const help = helpFor([], COMMANDS);

    for (const word of new Set(COMMANDS.map((c) => c.name[0]))) expect(help).toMatch(new RegExp(`^  ${word} `, 'm'));
    for (const option of ['--json', '--token JWT', '--config FILE', '--provisioner-url URL', '--review-scheduler-url URL', '-h, --help']) {
      expect(help).toContain(option);
    }
    expect(help).toContain('Exit codes: 0 done, 1 failed, 2 wrong command line.');
  });

  it('has, for every command, its usage, a summary and each of its arguments and options', () => {
    for (const command of COMMANDS) {
      const help = helpFor(command.name, COMMANDS);
      expect(help.split('\n')[0]).toMatch(new RegExp(`^usage: agentgov ${command.name.join(' ')}\\b`));
      expect(help).toContain(command.summary);
      for (const p of command.positionals ?? []) expect(help).toContain(`<${p.name}>`);
      for (const name of Object.keys(command.options ?? {})) expect(help).toContain(`--${name}`);
    }
  });

  it('lists the verbs of a noun', () => {
    expect(helpFor(['incidents'], COMMANDS)).toMatch(/incidents list .*\n.*incidents show[\s\S]*incidents release[\s\S]*incidents confirm/);
  });

  it('refuses help on what does not exist, and gives the short usage of a command under an error', () => {
    expect(() => helpFor(['incidents', 'purge'], COMMANDS)).toThrow(
      'no help on "incidents purge": incidents has list, show, acknowledge, release, confirm, close',
    );
    expect(() => helpFor(['nothing'], COMMANDS)).toThrow('there is no such command');
    expect(usageFor('owners offboard', COMMANDS)).toBe('usage: agentgov owners offboard <id> [options]; `agentgov owners offboard --help` for more');
  });
});
