import { CommandFailure } from '../cli.errors';
import type { CommandSpec } from '../command';
import { Service } from '../command-line/global-options';
import { count, table } from '../output/text';

/** The services that keep an audit trail (the baseliner records no decisions). */
const AUDITED = ['provisioner', 'containment', 'review-scheduler'] as const satisfies readonly Service[];

interface Verification {
  ok: boolean;
  rowsChecked: number;
  brokenAtSeq?: string | number;
  why?: string;
}

type Outcome = { service: Service } & ({ verification: Verification } | { error: string; code?: string });

const verify: CommandSpec = {
  name: ['audit', 'verify'],
  summary: "recompute each service's audit hash chain and say whether any record was edited, removed or reordered",
  description: 'Needs the admin role. Exit 1 when a chain is broken or a service could not be checked.',
  options: { service: { kind: 'value', value: 'SERVICE', description: `only this service (${AUDITED.join(', ')})` } },
  async run({ api, io }, args) {
    const only = args.choice('service', AUDITED);
    const services = only ? [only] : [...AUDITED];
    const progress = io.progress({ label: 'verifying audit chains', total: services.length, unit: 'services' });
    const outcomes: Outcome[] = [];
    for (const service of services) {
      progress.update(outcomes.length, service);
      try {
        outcomes.push({ service, verification: await api.call<Verification>(service, '/audit/verify') });
      } catch (error) {
        if (!(error instanceof CommandFailure)) throw error;
        outcomes.push({ service, error: error.message, ...(error.details.code ? { code: error.details.code } : {}) });
      }
    }
    const broken = outcomes.filter((o) => !('verification' in o) || !o.verification.ok);
    progress.update(outcomes.length);
    progress.done(broken.length ? `${broken.length} not intact` : 'every chain intact');
    const rows = outcomes.map((o) =>
      'verification' in o
        ? [o.service, o.verification.ok ? 'intact' : 'BROKEN', o.verification.rowsChecked, o.verification.brokenAtSeq, o.verification.why]
        : [o.service, 'NOT CHECKED', undefined, undefined, o.error],
    );
    const verdict = broken.length ? `${count(broken.length, 'service')} not intact or not checked` : 'every audit chain is intact';
    return {
      data: { ok: broken.length === 0, services: outcomes },
      text: `${table(['SERVICE', 'CHAIN', 'RECORDS', 'BROKEN AT', 'WHY'], rows)}\n${verdict}`,
      failed: broken.length > 0,
    };
  },
};

export const AUDIT_COMMANDS: readonly CommandSpec[] = [verify];
