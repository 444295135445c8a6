import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';

import { auditActor, Cause } from '../common/cause';
import { CredentialsError, CredentialsErrorCode } from './credentials.errors';
import { SigningKeyStore } from './signing-key-store';

/**
 * Emergency revocation of a compromised signing key: unlike a rotation (the old key stays trusted while its tokens
 * live), every token it signed stops introspecting active at once, on every replica. The active key is replaced.
 */
@Injectable()
export class RevokeSigningKeyUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: SigningKeyStore,
    private readonly audit: AuditChain,
  ) {}

  async execute(kid: string, reason: string, cause: Cause): Promise<{ revoked: string; activeKid: string }> {
    const result = await this.dataSource.transaction(async (tx) => {
      const revoked = await this.keys.revoke(tx, kid);
      if (!revoked) throw new CredentialsError(CredentialsErrorCode.SigningKeyNotFound, `no signing key ${kid}`);
      const at = new Date();
      await this.audit.append(tx, [
        ...(revoked.rotated
          ? [{ at, ...auditActor(cause), action: 'signing-key.created', subjectType: 'signing-key' as const, subjectId: revoked.activeKid }]
          : []),
        {
          at,
          ...auditActor(cause),
          action: 'signing-key.revoked',
          subjectType: 'signing-key' as const,
          subjectId: kid,
          reason,
          details: { activeKid: revoked.activeKid },
        },
      ]);
      return { revoked: revoked.revoked, activeKid: revoked.activeKid };
    });
    await this.keys.refreshNow();
    return result;
  }
}
