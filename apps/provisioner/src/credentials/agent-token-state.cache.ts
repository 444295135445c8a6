import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { PgNotificationListener } from '@agentgov/persistence';

import { CREDENTIALS_CONFIG, CredentialsConfig } from './credentials.config';

/** What decides whether an agent's token is still good, besides the token's own signature and expiry. */
export interface AgentTokenState {
  active: boolean;
  /** The accountable owner now: a delegation chain pinned to another human (the agent was reassigned since) is over. */
  ownerId: string;
  expiresAtMs: number | null;
  /** Revoke-all instant: tokens issued at or before it are inactive. */
  notBeforeMs: number;
  revokedJtis: ReadonlySet<string>;
  /** The agent's scopes now: a token carrying any other (the agent was narrowed since) is inactive. */
  scopes: ReadonlySet<string>;
}

export const TOKEN_STATE_CHANNEL = 'provisioner_token_state';
/** Upper bound on staleness should a notification ever be lost while the connection stays up. */
const MAX_AGE_MS = 10_000;
const MAX_ENTRIES = 100_000;

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, any>[] }>;
}

// One round trip by primary key; named so each connection parses it once.
const STATE_QUERY = {
  name: 'credentials_agent_token_state_v3',
  text: `SELECT "a"."status", "a"."scopes", "a"."owner_id",
                (extract(epoch FROM "a"."expires_at") * 1000)::float8 AS "expires_ms",
                floor(extract(epoch FROM "a"."tokens_not_before") * 1000)::float8 AS "not_before_ms",
                COALESCE((SELECT array_agg("r"."jti") FROM "provisioner"."revoked_tokens" "r"
                          WHERE "r"."agent_id" = "a"."id" AND "r"."expires_at" > now()), '{}') AS "revoked"
           FROM "provisioner"."agents" "a" WHERE "a"."id" = $1`,
};

/**
 * Introspection's view of agents, kept in memory and invalidated by Postgres notifications that triggers send on
 * commit of any change to an agent's status, expiry, revoke-all time, scopes, owner or revoked tokens (migrations
 * 1763920000000, 1765100000001, 1765500000000). Correctness does not rest on the cache alone: while the listener is down every lookup goes
 * to the database and the cache is emptied on reconnection; a load that raced a notification is not kept;
 * and no entry is older than MAX_AGE_MS.
 */
@Injectable()
export class AgentTokenStateCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AgentTokenStateCache');
  private readonly entries = new Map<string, { state: AgentTokenState; loadedAt: number }>();
  private readonly listener: PgNotificationListener;
  /** Bumped by every notification, so a load that overlapped one is used once but not cached. */
  private epoch = 0;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CREDENTIALS_CONFIG) config: CredentialsConfig,
  ) {
    this.listener = new PgNotificationListener({
      connectionString: config.databaseUrl,
      channel: TOKEN_STATE_CHANNEL,
      applicationName: 'provisioner-token-state',
      onNotification: (agentId) => this.forget(agentId),
      onGap: () => {
        this.epoch += 1;
        this.entries.clear();
      },
      onError: (error) => this.logger.warn(`token state listener: ${error.message}; reading through to the database`),
    });
  }

  async onModuleInit(): Promise<void> {
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
  }

  /**
   * Drops what this replica holds about the agent. The notification does it for every replica; a change made
   * here calls it too as soon as it commits, so that this replica's next answer already sees it (the
   * notification arrives a few milliseconds later, and a client that revoked a token may introspect at once).
   */
  forget(agentId: string): void {
    this.epoch += 1;
    this.entries.delete(agentId);
  }

  /** The agent's state, or undefined when there is no such agent. */
  async get(agentId: string): Promise<AgentTokenState | undefined> {
    const cached = this.entries.get(agentId);
    if (cached && this.listener.listening && Date.now() - cached.loadedAt < MAX_AGE_MS) return cached.state;
    const epoch = this.epoch;
    const loadedAt = Date.now();
    const state = await this.load(agentId);
    if (state && this.listener.listening && epoch === this.epoch) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(agentId, { state, loadedAt });
    }
    return state;
  }

  private async load(agentId: string): Promise<AgentTokenState | undefined> {
    const pool = (this.dataSource.driver as unknown as { master: PgPool }).master;
    const { rows } = await pool.query({ ...STATE_QUERY, values: [agentId] });
    const row = rows[0];
    if (!row) return undefined;
    return {
      active: row.status === 'active',
      ownerId: row.owner_id,
      expiresAtMs: row.expires_ms === null ? null : Number(row.expires_ms),
      notBeforeMs: Number(row.not_before_ms),
      revokedJtis: new Set<string>(row.revoked),
      scopes: new Set<string>(row.scopes),
    };
  }
}
