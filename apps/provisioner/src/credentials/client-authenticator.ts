import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { isUuid } from '@agentgov/contracts';

import { ClientCredentials } from './client-credentials';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from './client-secret';
import { OAuthError } from './credentials.errors';

export interface AuthenticatedClient {
  id: string;
  ownerId: string;
  parentId: string | null;
  scopes: string[];
}

/**
 * Authenticates an agent by its client secret. Every refusal (unknown id, wrong secret, agent not active or
 * expired) gives the same answer after the same hashing work, so the answer tells nothing about which it was.
 */
@Injectable()
export class ClientAuthenticator implements OnModuleInit {
  private decoyHash!: string;

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    this.decoyHash = await hashClientSecret(generateClientSecret());
  }

  async authenticate(credentials: ClientCredentials): Promise<AuthenticatedClient> {
    const [row] = isUuid(credentials.clientId)
      ? await this.dataSource.query(
          `SELECT "id", "owner_id", "parent_id", "scopes", "client_secret_hash",
                  ("status" = 'active' AND ("expires_at" IS NULL OR "expires_at" > now())) AS "usable"
             FROM "provisioner"."agents" WHERE "id" = $1`,
          [credentials.clientId],
        )
      : [];
    const secretMatches = await verifyClientSecret(credentials.clientSecret, row?.client_secret_hash ?? this.decoyHash);
    if (!row || !secretMatches || row.usable !== true) throw new OAuthError('invalid_client', 'Client authentication failed.');
    return { id: row.id, ownerId: row.owner_id, parentId: row.parent_id ?? null, scopes: row.scopes ?? [] };
  }
}
