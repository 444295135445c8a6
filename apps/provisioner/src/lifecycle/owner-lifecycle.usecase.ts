import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { assertPlausibleEventTime, OWNER_STATUS_AFTER } from '@agentgov/contracts';
import { ConsumedEvent, NonRetryableError } from '@agentgov/messaging';

import { AgentChanges } from '../agents/agent-changes';
import { AGENT_COLUMNS, rowToAgent } from '../agents/agent-record';
import { auditActor, eventCause } from '../common/cause';
import { offboardingActionFor, OffboardingPolicy } from './offboarding-policy';

export const OFFBOARDING_POLICY = Symbol('OFFBOARDING_POLICY');

export function ownerSuspendedCause(ownerId: string): string {
  return `owner-suspended:${ownerId}`;
}

export function ownerTerminatedCause(ownerId: string): string {
  return `owner-terminated:${ownerId}`;
}

/**
 * Applies an owner's lifecycle change and cascades it to their agents, in the inbox transaction of the event:
 * - terminated: each agent the owner is accountable for (and every descendant) is deprovisioned, suspended or
 *   reassigned to the manager, per the offboarding policy;
 * - suspended: their agents and descendants are suspended; reinstated: only those suspended for that cause return;
 * - transferred: the agents stay active and each is announced as updated, which asks for a review.
 * An event older than the owner's latest applied change is recorded and otherwise ignored.
 */
@Injectable()
export class OwnerLifecycleUseCase {
  private readonly logger = new Logger('OwnerLifecycle');

  constructor(
    private readonly changes: AgentChanges,
    private readonly audit: AuditChain,
    @Inject(OFFBOARDING_POLICY) private readonly policy: OffboardingPolicy,
  ) {}

  async execute(event: ConsumedEvent<'identity.lifecycle.v1'>, tx: EntityManager): Promise<void> {
    const data = event.data;
    const occurredAt = new Date(data.occurredAt);
    // As at the HTTP adapters: a time far ahead would make the owner deaf to every real change after it (the
    // native topic has external producers too). Dead-lettered, so it can be replayed once its time has come.
    assertPlausibleEventTime(occurredAt, (detail) => new NonRetryableError(`occurredAt ${detail}`));
    const cause = eventCause(event.id, data.source);
    const at = new Date();
    await tx.query(`INSERT INTO "provisioner"."owners" ("id") VALUES ($1) ON CONFLICT ("id") DO NOTHING`, [data.ownerId]);
    const [owner] = await tx.query(`SELECT "status", "status_changed_at", "manager_id" FROM "provisioner"."owners" WHERE "id" = $1 FOR UPDATE`, [data.ownerId]);
    // '-infinity' (no change applied yet) arrives from the driver as a number, not a Date.
    const latestKnown = owner.status_changed_at instanceof Date ? owner.status_changed_at.getTime() : Number.NEGATIVE_INFINITY;
    if (occurredAt.getTime() <= latestKnown) {
      this.logger.log(`ignored ${data.kind} for ${data.ownerId} from ${occurredAt.toISOString()}: the owner's state is newer`);
      await this.audit.append(tx, [
        {
          at,
          ...auditActor(cause),
          action: 'owner.lifecycle-ignored-as-stale',
          subjectType: 'owner',
          subjectId: data.ownerId,
          details: { kind: data.kind, occurredAt: data.occurredAt, latestKnown: new Date(latestKnown).toISOString() },
        },
      ]);
      return;
    }
    const status = OWNER_STATUS_AFTER[data.kind] ?? owner.status;
    const managerId = data.kind === 'owner.transferred' && data.newManagerId ? data.newManagerId : owner.manager_id;
    await tx.query(
      `UPDATE "provisioner"."owners" SET "status" = $2, "status_reason" = $3, "status_changed_at" = $4, "manager_id" = $5,
         "team" = COALESCE($6, "team"), "updated_at" = now() WHERE "id" = $1`,
      [data.ownerId, status, data.reason ?? data.kind, occurredAt, managerId, data.kind === 'owner.transferred' ? (data.newTeam ?? null) : null],
    );
    await this.audit.append(tx, [
      {
        at,
        ...auditActor(cause),
        action: data.kind,
        subjectType: 'owner',
        subjectId: data.ownerId,
        details: { status, source: data.source, occurredAt: data.occurredAt, reason: data.reason, newManagerId: data.newManagerId, newTeam: data.newTeam },
      },
    ]);

    const reason = `owner ${data.ownerId} ${data.kind.slice('owner.'.length)}${data.reason ? `: ${data.reason}` : ''}`.slice(0, 500);
    switch (data.kind) {
      case 'owner.terminated':
        return this.offboard(tx, data.ownerId, managerId, reason, cause, at);
      case 'owner.suspended':
        await this.changes.changeStatus(tx, {
          select: { ownerId: data.ownerId },
          includeDescendants: true,
          to: 'suspended',
          reason,
          statusCause: ownerSuspendedCause(data.ownerId),
          cause,
          at,
        });
        return;
      case 'owner.reinstated':
        await this.changes.changeStatus(tx, {
          select: { ownerId: data.ownerId },
          includeDescendants: true,
          to: 'active',
          reason,
          onlyIfStatusCause: ownerSuspendedCause(data.ownerId),
          cause,
          at,
        });
        return;
      case 'owner.transferred': {
        const owned = (await tx.query(`SELECT ${AGENT_COLUMNS} FROM "provisioner"."agents" WHERE "owner_id" = $1 AND "status" = 'active'`, [
          data.ownerId,
        ])) as Record<string, unknown>[];
        await this.changes.announce(tx, owned.map(rowToAgent), 'agent.updated', cause, at, {
          reason,
          reviewRequested: 'owner-transferred',
        });
        return;
      }
    }
  }

  private async offboard(tx: EntityManager, ownerId: string, managerId: string | null, reason: string, cause: ReturnType<typeof eventCause>, at: Date) {
    const owned = (
      (await tx.query(`SELECT ${AGENT_COLUMNS} FROM "provisioner"."agents" WHERE "owner_id" = $1 AND "status" <> 'deprovisioned'`, [ownerId])) as Record<
        string,
        unknown
      >[]
    ).map(rowToAgent);
    const byAction = { deprovision: [] as string[], suspend: [] as string[], reassign: [] as string[] };
    for (const agent of owned) byAction[offboardingActionFor(this.policy, agent)].push(agent.id);

    if (byAction.reassign.length) {
      const [manager] = managerId ? await tx.query(`SELECT "status" FROM "provisioner"."owners" WHERE "id" = $1`, [managerId]) : [];
      if (managerId && manager?.status === 'active') {
        await this.changes.reassign(tx, byAction.reassign, managerId, `${reason}; reassigned to manager ${managerId}`, cause, at);
      } else {
        byAction.suspend.push(...byAction.reassign);
      }
    }
    // Deprovisioning first: a sub-agent never outlives a deprovisioned parent, whatever its own rule says.
    await this.changes.changeStatus(tx, {
      select: { agentIds: byAction.deprovision },
      includeDescendants: true,
      to: 'deprovisioned',
      reason,
      cause,
      at,
    });
    await this.changes.changeStatus(tx, {
      select: { agentIds: byAction.suspend },
      includeDescendants: true,
      to: 'suspended',
      reason: `${reason}; suspended pending review`,
      statusCause: ownerTerminatedCause(ownerId),
      cause,
      at,
    });
  }
}
