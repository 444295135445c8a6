import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { Topics } from '@agentgov/contracts';
import { OutboxWriter } from '@agentgov/messaging';
import { returnedRows } from '@agentgov/persistence';

import { AGENT_COLUMNS, agentLifecycleEvent, rowToAgent } from '../agents/agent-record';
import { auditActor, Cause } from '../common/cause';
import { generateClientSecret, hashClientSecret } from './client-secret';
import { CredentialsError, CredentialsErrorCode } from './credentials.errors';

export interface RotatedSecret {
  clientId: string;
  /** Shown to the caller this once; only its hash is stored. */
  clientSecret: string;
  secretRotatedAt: string;
}

/** A new client secret for an agent; the old one stops working at commit. Tokens already issued stay valid. */
@Injectable()
export class RotateClientSecretUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditChain,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(agentId: string, cause: Cause): Promise<RotatedSecret> {
    const secret = generateClientSecret();
    const hash = await hashClientSecret(secret);
    const rotatedAt = await this.dataSource.transaction(async (tx) => {
      const [current] = await tx.query(`SELECT "status" FROM "provisioner"."agents" WHERE "id" = $1 FOR UPDATE`, [agentId]);
      if (!current) throw new CredentialsError(CredentialsErrorCode.AgentNotFound, `No agent ${agentId}.`);
      if (current.status === 'deprovisioned') {
        throw new CredentialsError(CredentialsErrorCode.AgentDeprovisioned, `Agent ${agentId} is deprovisioned; it gets no new secret.`);
      }
      const [row] = returnedRows<Record<string, any>>(
        await tx.query(
          `UPDATE "provisioner"."agents" SET "client_secret_hash" = $2, "secret_rotated_at" = now(), "updated_at" = now()
            WHERE "id" = $1 RETURNING ${AGENT_COLUMNS}`,
          [agentId, hash],
        ),
      );
      // Announced, so that whoever tracks credential age (the review-scheduler) learns of the rotation.
      await this.outbox.append(tx, [
        { topic: Topics.AgentLifecycle, data: agentLifecycleEvent(rowToAgent(row), 'agent.updated', cause, row.secret_rotated_at) },
      ]);
      await this.audit.append(tx, [
        { at: row.secret_rotated_at, ...auditActor(cause), action: 'agent.secret-rotated', subjectType: 'agent', subjectId: agentId },
      ]);
      return row.secret_rotated_at;
    });
    return { clientId: agentId, clientSecret: secret, secretRotatedAt: rotatedAt.toISOString() };
  }
}
