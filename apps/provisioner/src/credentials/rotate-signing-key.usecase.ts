import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';

import { auditActor, Cause } from '../common/cause';
import { SigningKeyStore } from './signing-key-store';

/** A new active signing key; the previous one is retired but stays in the JWKS while its tokens may live. */
@Injectable()
export class RotateSigningKeyUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: SigningKeyStore,
    private readonly audit: AuditChain,
  ) {}

  async execute(cause: Cause): Promise<{ kid: string; retired: string[] }> {
    const result = await this.dataSource.transaction(async (tx) => {
      const rotated = await this.keys.rotate(tx);
      const at = new Date();
      await this.audit.append(tx, [
        { at, ...auditActor(cause), action: 'signing-key.created', subjectType: 'signing-key', subjectId: rotated.kid },
        ...rotated.retired.map((kid) => ({
          at,
          ...auditActor(cause),
          action: 'signing-key.retired',
          subjectType: 'signing-key' as const,
          subjectId: kid,
          details: { replacedBy: rotated.kid },
        })),
      ]);
      return rotated;
    });
    await this.keys.refreshNow();
    return result;
  }
}
