import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { decryptWithKek, encryptWithKek, KeyEncryptionKey } from '@agentgov/sealed-secrets';

import { CONTAINMENT_SCHEMA } from '../database/containment.database';

export const EXTERNAL_TOKEN_KEK = Symbol('EXTERNAL_TOKEN_KEK');

const TABLE = `"${CONTAINMENT_SCHEMA}"."external_tokens"`;

export type TokenTypeHint = 'access_token' | 'refresh_token';

export interface HeldToken {
  id: string;
  token: string;
  tokenTypeHint?: TokenTypeHint;
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Tokens an agent holds at another authorization server, as its runtime or gateway reports them: RFC 7009
 * revokes a token by its value, so the value is kept, sealed (AES-256-GCM, bound to its row's hash), until it
 * is revoked or expires. Only the hash identifies it anywhere else.
 */
@Injectable()
export class ExternalTokensRepository {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EXTERNAL_TOKEN_KEK) private readonly kek: KeyEncryptionKey,
  ) {}

  /** Idempotent: reporting the same token again changes nothing. Returns the token's hash. */
  async record(
    agentId: string,
    connector: string,
    token: string,
    tokenTypeHint: TokenTypeHint | undefined,
    expiresAt: Date | undefined,
  ): Promise<{ tokenHash: string; recorded: boolean }> {
    const hash = tokenHash(token);
    const rows = await this.dataSource.query(
      `INSERT INTO ${TABLE} ("agent_id", "connector", "token_hash", "token_sealed", "token_type_hint", "expires_at") VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ("connector", "token_hash") DO NOTHING RETURNING "id"`,
      [agentId, connector, hash, encryptWithKek(this.kek, token, `${connector}:${hash}`), tokenTypeHint ?? null, expiresAt ?? null],
    );
    return { tokenHash: hash, recorded: rows.length > 0 };
  }

  /** The agent's tokens at one connector that are neither revoked nor expired. */
  async held(manager: EntityManager, agentId: string, connector: string): Promise<HeldToken[]> {
    const rows: { id: string; token_hash: string; token_sealed: string; token_type_hint: TokenTypeHint | null }[] = await manager.query(
      `SELECT "id", "token_hash", "token_sealed", "token_type_hint" FROM ${TABLE}
       WHERE "agent_id" = $1 AND "connector" = $2 AND "token_sealed" IS NOT NULL AND ("expires_at" IS NULL OR "expires_at" > now())`,
      [agentId, connector],
    );
    return rows.map((r) => ({
      id: r.id,
      token: decryptWithKek(this.kek, r.token_sealed, `${connector}:${r.token_hash}`),
      ...(r.token_type_hint ? { tokenTypeHint: r.token_type_hint } : {}),
    }));
  }

  /** Forgets the values of expired tokens: there is nothing left to revoke, and nothing should be kept. */
  async purgeExpired(): Promise<number> {
    const result = await this.dataSource.query(`UPDATE ${TABLE} SET "token_sealed" = NULL WHERE "token_sealed" IS NOT NULL AND "expires_at" < now()`);
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }

  /** Forgets the values of revoked tokens; the hash stays as the record that they were revoked, and by which action. */
  async markRevoked(tx: EntityManager, ids: string[], actionId: string): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(`UPDATE ${TABLE} SET "token_sealed" = NULL, "revoked_by_action" = $2 WHERE "id" = ANY($1::bigint[])`, [ids, actionId]);
  }
}
