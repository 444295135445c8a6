import { formatDuration } from '@agentgov/terminal-progress';

import { CommandFailure } from '../cli.errors';
import type { CommandSpec } from '../command';
import { count, fields, table, when } from '../output/text';
import { agentsOfOwner, AgentView, owner } from './registry-api';

const show: CommandSpec = {
  name: ['owners', 'show'],
  summary: 'one owner: their status and every agent and sub-agent they are accountable for',
  positionals: [{ name: 'id', description: 'the owner id' }],
  async run({ api }, args) {
    const id = args.requiredPositional('id');
    const [o, agents] = await Promise.all([owner(api, id), agentsOfOwner(api, id)]);
    const byStatus = (status: AgentView['status']) => agents.filter((a) => a.status === status).length;
    return {
      data: { owner: o, agents },
      text: [
        fields([
          ['id', o.id],
          ['name', o.displayName],
          ['email', o.email],
          ['status', o.statusReason ? `${o.status} (${o.statusReason})` : o.status],
          ['since', when(o.statusChangedAt)],
          ['manager', o.managerId],
          ['team', o.team],
          ['identities', o.identities.map((i) => `${i.source}:${i.externalId}`).join(' ')],
          [
            'agents',
            `${count(agents.length, 'agent')}: ${byStatus('active')} active, ${byStatus('suspended')} suspended, ${byStatus('deprovisioned')} deprovisioned`,
          ],
        ]),
        ...(agents.length
          ? [
              '',
              table(
                ['ID', 'NAME', 'TIER', 'STATUS', 'PARENT'],
                agents.map((a) => [a.id, a.name, a.riskTier, a.status, a.parentAgentId]),
              ),
            ]
          : []),
      ].join('\n'),
    };
  },
};

/** How the offboarding cascade left the owner's agents (the registry applies it in one transaction). */
interface CascadeOutcome {
  deprovisioned: string[];
  suspended: string[];
  /** Moved to the owner's manager by the offboarding policy: no longer the owner's. */
  reassigned: string[];
  seconds: number;
}

const POLL_MS = 500;

const offboard: CommandSpec = {
  name: ['owners', 'offboard'],
  summary: 'terminate an owner: every agent they are accountable for, and every sub-agent, is offboarded',
  description: [
    'Reports owner.terminated to the provisioner (POST /owners/<id>/lifecycle-events; admin, or owner-lifecycle).',
    'The provisioner applies it from Kafka and cascades it to the agents per its offboarding policy (deprovision by',
    'default; suspend or reassign to the manager where the policy says so). With --wait the command follows the',
    'cascade with a progress bar until no agent of the owner is left active, and says what became of each.',
  ].join('\n'),
  positionals: [{ name: 'id', description: 'the owner id' }],
  options: {
    reason: { kind: 'value', value: 'TEXT', description: 'why (required; recorded in the audit trail)' },
    wait: { kind: 'flag', description: 'follow the cascade until every agent is offboarded' },
    timeout: { kind: 'value', value: 'SECONDS', description: 'how long --wait waits, 1 to 3600 (default 120)' },
  },
  examples: ['agentgov owners offboard alice@example.com --reason "left the company (HR-4411)" --wait'],
  async run({ api, io }, args) {
    const id = args.requiredPositional('id');
    const reason = args.requiredValue('reason');
    const timeoutMs = (args.integer('timeout', { min: 1, max: 3600 }) ?? 120) * 1000;
    const wait = args.flag('wait');
    const before = wait ? (await agentsOfOwner(api, id)).filter((a) => a.status !== 'deprovisioned') : [];
    const reported = await api.call<{ eventId: string; duplicate: boolean }>('provisioner', `/owners/${encodeURIComponent(id)}/lifecycle-events`, {
      method: 'POST',
      body: { kind: 'owner.terminated', reason },
    });
    const headline = `owner ${id} reported terminated (event ${reported.eventId}${reported.duplicate ? ', already reported' : ''})`;
    if (!wait) return { data: reported, text: `${headline}; the provisioner applies it from Kafka (--wait follows the cascade)` };

    io.message(headline);
    const started = Date.now();
    const progress = io.progress({ label: `offboarding ${id}`, total: before.length, unit: 'agents' });
    let outcome: CascadeOutcome | undefined;
    try {
      for (;;) {
        const [o, now] = await Promise.all([owner(api, id), agentsOfOwner(api, id)]);
        const current = new Map(now.map((a) => [a.id, a]));
        const settled = before.filter((a) => current.get(a.id)?.status !== 'active');
        progress.update(settled.length, `owner ${o.status}`);
        if (o.status === 'terminated' && settled.length === before.length) {
          outcome = {
            deprovisioned: before.filter((a) => current.get(a.id)?.status === 'deprovisioned').map((a) => a.id),
            suspended: before.filter((a) => current.get(a.id)?.status === 'suspended').map((a) => a.id),
            reassigned: before.filter((a) => !current.has(a.id)).map((a) => a.id),
            seconds: (Date.now() - started) / 1000,
          };
          break;
        }
        if (Date.now() - started > timeoutMs) {
          const waiting = before.filter((a) => current.get(a.id)?.status === 'active').map((a) => a.id);
          throw new CommandFailure(
            o.status === 'terminated'
              ? `after ${formatDuration(timeoutMs)}, ${count(waiting.length, 'agent')} of owner ${id} still active: ${waiting.slice(0, 10).join(', ')}`
              : `after ${formatDuration(timeoutMs)} the provisioner has not applied the termination (owner ${id} is ${o.status}): is its lifecycle consumer running?`,
            { hint: 'the termination was reported; agentgov owners show <id> shows where the cascade is' },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } catch (error) {
      progress.fail(error instanceof Error ? error.message : String(error));
      throw error;
    }
    const parts = [`${outcome.deprovisioned.length} deprovisioned`, ...(outcome.suspended.length ? [`${outcome.suspended.length} suspended`] : [])];
    if (outcome.reassigned.length) parts.push(`${outcome.reassigned.length} reassigned to the manager`);
    progress.done(parts.join(', '));
    return {
      data: { ...reported, cascade: outcome },
      text: `owner ${id} terminated; of ${count(before.length, 'agent')}: ${parts.join(', ')} (${formatDuration(outcome.seconds * 1000)})`,
    };
  },
};

export const OWNER_COMMANDS: readonly CommandSpec[] = [show, offboard];
