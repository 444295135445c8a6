import { UsageError } from '../cli.errors';
import type { CommandSpec } from '../command';
import { parseCommandLine } from './parse-command-line';

const noop = async () => ({ data: null, text: '' });
const COMMANDS: CommandSpec[] = [
  { name: ['login'], summary: 'sign in', run: noop },
  {
    name: ['incidents', 'release'],
    summary: 'release',
    positionals: [{ name: 'id', description: 'incident' }],
    options: { reason: { kind: 'value', description: 'why' }, wait: { kind: 'flag', description: 'wait' } },
    run: noop,
  },
  {
    name: ['reviews', 'certify'],
    summary: 'certify',
    positionals: [
      { name: 'id', description: 'review' },
      { name: 'note', description: 'note', optional: true },
    ],
    options: { 'remove-scope': { kind: 'list', description: 'scope' } },
    run: noop,
  },
];

const parse = (argv: string[]) => parseCommandLine(argv, COMMANDS);

function usageError(argv: string[]): UsageError {
  try {
    parse(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`${argv.join(' ')} parsed`);
}

describe('the command line', () => {
  it('reads the command, its positionals and options, and global options before or after the command', () => {
    const parsed = parse(['--json', 'incidents', 'release', 'inc-1', '--reason=false alarm', '--wait', '--token', 't0k', '--containment-url', 'http://c:1']);

    expect(parsed.kind).toBe('run');
    if (parsed.kind !== 'run') return;
    expect(parsed.command.name).toEqual(['incidents', 'release']);
    expect(parsed.args.requiredPositional('id')).toBe('inc-1');
    expect(parsed.args.value('reason')).toBe('false alarm');
    expect(parsed.args.flag('wait')).toBe(true);
    expect(parsed.globals).toEqual({ json: true, help: false, token: 't0k', config: undefined, urls: { containment: 'http://c:1' } });
  });

  it('collects a repeatable option, takes an optional positional, and reads everything after -- as positionals', () => {
    const parsed = parse(['reviews', 'certify', '--remove-scope', 'crm.write', '--remove-scope', 'crm.delete', '--', '-odd-id']);

    if (parsed.kind !== 'run') throw new Error('not a run');
    expect(parsed.args.list('remove-scope')).toEqual(['crm.write', 'crm.delete']);
    expect(parsed.args.requiredPositional('id')).toBe('-odd-id');
    expect(parsed.args.positional('note')).toBeUndefined();
  });

  it('runs a one-word command', () => {
    const parsed = parse(['login']);
    expect(parsed.kind === 'run' && parsed.command.name).toEqual(['login']);
  });

  it('answers help for everything, a noun or a command, with --help, -h or the help word', () => {
    expect(parse(['--help'])).toMatchObject({ kind: 'help', path: [] });
    expect(parse(['help'])).toMatchObject({ kind: 'help', path: [] });
    expect(parse(['incidents', '-h'])).toMatchObject({ kind: 'help', path: ['incidents'] });
    expect(parse(['incidents', 'release', '--help'])).toMatchObject({ kind: 'help', path: ['incidents', 'release'] });
    expect(parse(['help', 'incidents', 'release'])).toMatchObject({ kind: 'help', path: ['incidents', 'release'] });
    expect(parse(['login', '--help'])).toMatchObject({ kind: 'help', path: ['login'] });
  });

  it('refuses, in words and naming the command for its usage, what it cannot read', () => {
    expect(usageError([])).toMatchObject({ message: 'no command given', command: undefined });
    expect(usageError(['incidnets'])).toMatchObject({ message: 'unknown command "incidnets"; the commands are login, incidents, reviews' });
    expect(usageError(['incidents', 'relase'])).toMatchObject({ message: 'unknown command "incidents relase"; incidents has release', command: 'incidents' });
    expect(usageError(['incidents'])).toMatchObject({ message: '"incidents" needs a command: release', command: 'incidents' });
    expect(usageError(['incidents', 'release'])).toMatchObject({ message: 'missing <id>', command: 'incidents release' });
    expect(usageError(['incidents', 'release', 'a', 'b'])).toMatchObject({ message: 'unexpected "b"' });
    expect(usageError(['incidents', 'release', 'a', '--reasn', 'x'])).toMatchObject({ message: '"incidents release" has no option --reasn' });
    expect(usageError(['--reason', 'x', 'incidents', 'release', 'a']).message).toMatch(
      /^unknown option --reason \(a command's options come after the command\)/,
    );
    expect(usageError(['incidents', 'release', 'a', '--reason'])).toMatchObject({ message: '--reason needs a value' });
    expect(usageError(['incidents', 'release', 'a', '--reason', '--wait'])).toMatchObject({ message: '--reason needs a value' });
    expect(usageError(['incidents', 'release', 'a', '--reason', 'x', '--reason', 'y'])).toMatchObject({ message: '--reason is given twice' });
    expect(usageError(['incidents', 'release', 'a', '--wait=yes'])).toMatchObject({ message: '--wait takes no value' });
  });

  it('checks option values when the command reads them: whole numbers in bounds, choices, required text', () => {
    const args = (argv: string[]) => {
      const parsed = parse(['incidents', 'release', 'a', ...argv]);
      if (parsed.kind !== 'run') throw new Error('not a run');
      return parsed.args;
    };

    expect(args(['--reason', '7']).integer('reason', { min: 1, max: 10 })).toBe(7);
    expect(args([]).integer('reason', { min: 1, max: 10 })).toBeUndefined();
    expect(() => args(['--reason', '0']).integer('reason', { min: 1, max: 10 })).toThrow('--reason must be a whole number from 1 to 10, not "0"');
    expect(() => args(['--reason', '2.5']).integer('reason', { min: 1, max: 10 })).toThrow(UsageError);
    expect(args(['--reason', 'open,closed']).choice('reason', ['open', 'closed'], true)).toBe('open,closed');
    expect(() => args(['--reason', 'open,shut']).choice('reason', ['open', 'closed'], true)).toThrow('--reason takes a comma list of open, closed, not "shut"');
    expect(() => args(['--reason', 'open,closed']).choice('reason', ['open', 'closed'])).toThrow('--reason takes open, closed, not "open,closed"');
    expect(() => args(['--reason', '  ']).requiredValue('reason')).toThrow('--reason is required');
    expect(() => args([]).requiredValue('reason')).toThrow(expect.objectContaining({ command: 'incidents release' }));
  });
});
