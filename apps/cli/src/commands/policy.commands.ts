import { readFileSync } from 'node:fs';

import { CommandFailure, UsageError } from '../cli.errors';
import type { CommandSpec } from '../command';
import { fields, table, when } from '../output/text';

interface PolicyVersion {
  version: number;
  policy: {
    tiers: Record<string, { alert: number | null; contain: number | null; deprovision: number | null }>;
    shadowAgent: string;
    unknownTier: string;
    cooldownSeconds: number;
    releaseNeedsSecondAnalystFrom?: number;
  };
  createdBy: string;
  reason: string;
  createdAt: string;
}

const get: CommandSpec = {
  name: ['policy', 'get'],
  summary: 'the containment policy in force: score bands per risk tier, shadow agents, cooldown',
  description: 'To change it: agentgov policy get --json > policy.json, edit policy.json, agentgov policy set policy.json --reason ...',
  async run({ api }) {
    const current = await api.call<PolicyVersion>('containment', '/policy');
    const p = current.policy;
    const band = (v: number | null) => (v === null ? 'never' : String(v));
    return {
      data: current,
      text: [
        `version ${current.version}, set by ${current.createdBy} at ${when(current.createdAt)}: ${current.reason}`,
        '',
        table(
          ['TIER', 'ALERT FROM', 'CONTAIN FROM', 'DEPROVISION FROM'],
          Object.entries(p.tiers).map(([tier, b]) => [tier, band(b.alert), band(b.contain), band(b.deprovision)]),
        ),
        '',
        fields([
          ['shadow agents', p.shadowAgent],
          ['unknown agents count as', p.unknownTier],
          ['cooldown', `${p.cooldownSeconds} s`],
          ['two analysts to release from score', p.releaseNeedsSecondAnalystFrom ?? "not set: the service's default applies"],
        ]),
      ].join('\n'),
    };
  },
};

const versions: CommandSpec = {
  name: ['policy', 'versions'],
  summary: 'the versions of the policy, newest first: who changed it, when and why',
  options: { limit: { kind: 'value', value: 'N', description: 'how many, 1 to 999 (default 20)' } },
  async run({ api }, args) {
    const answer = await api.call<{ versions: PolicyVersion[] }>('containment', '/policy/versions', {
      query: { limit: args.integer('limit', { min: 1, max: 999 }) },
    });
    return {
      data: answer,
      text: table(
        ['VERSION', 'AT', 'BY', 'WHY'],
        answer.versions.map((v) => [v.version, when(v.createdAt), v.createdBy, v.reason]),
      ),
    };
  },
};

/** The policy and the version it was edited from: a `policy get --json` file carries both, a bare policy needs --based-on. */
function readPolicyFile(file: string, basedOn: number | undefined): { policy: unknown; basedOnVersion: number } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CommandFailure(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CommandFailure(`${file} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CommandFailure(`${file} must hold a JSON object`);
  const object = parsed as Record<string, unknown>;
  const fromFile = 'policy' in object && typeof object['version'] === 'number' ? (object['version'] as number) : undefined;
  if (fromFile !== undefined && basedOn !== undefined && fromFile !== basedOn) {
    throw new UsageError(`${file} was read at version ${fromFile} but --based-on says ${basedOn}: which version did you edit?`, 'policy set');
  }
  const basedOnVersion = basedOn ?? fromFile;
  if (basedOnVersion === undefined) {
    throw new UsageError(
      `say which version you edited: --based-on N (the version agentgov policy get showed), or set a file agentgov policy get --json wrote`,
      'policy set',
    );
  }
  return { policy: fromFile !== undefined ? object['policy'] : object, basedOnVersion };
}

const set: CommandSpec = {
  name: ['policy', 'set'],
  summary: 'make a new version of the policy from a file (admin), refused if someone changed it since you read it',
  description: [
    'The file is what agentgov policy get --json wrote, edited (its version is the one you edited), or the bare policy',
    'object with --based-on N. The change is refused, and nothing changes, when the policy is no longer at that version:',
    'two admins editing at once cannot overwrite each other unseen.',
  ].join('\n'),
  positionals: [{ name: 'file', description: 'the policy as JSON' }],
  options: {
    reason: { kind: 'value', value: 'TEXT', description: 'why (required; recorded with the version and in the audit trail)' },
    'based-on': { kind: 'value', value: 'VERSION', description: 'the version you edited (when the file does not say)' },
  },
  examples: ['agentgov policy get --json > policy.json && $EDITOR policy.json && agentgov policy set policy.json --reason "contain medium agents from 0.98"'],
  async run({ api }, args) {
    const reason = args.requiredValue('reason');
    const { policy, basedOnVersion } = readPolicyFile(args.requiredPositional('file'), args.integer('based-on', { min: 1, max: 2 ** 31 - 1 }));
    try {
      const saved = await api.call<PolicyVersion>('containment', '/policy', { method: 'PUT', body: { policy, basedOnVersion, reason } });
      return { data: saved, text: `policy version ${saved.version} in force (was ${basedOnVersion})` };
    } catch (error) {
      if (error instanceof CommandFailure && error.details.code === 'POLICY_VERSION_CONFLICT') {
        throw new CommandFailure(`the policy changed since version ${basedOnVersion} was read; nothing was changed (${error.message})`, {
          ...error.details,
          hint: 'get the current policy (agentgov policy get), make your edit on it, and set it again',
        });
      }
      throw error;
    }
  },
};

export const POLICY_COMMANDS: readonly CommandSpec[] = [get, versions, set];
