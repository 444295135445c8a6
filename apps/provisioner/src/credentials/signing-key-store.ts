import { KeyObject } from 'node:crypto';

import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, JWK, JWTHeaderParameters } from 'jose';
import { DataSource, EntityManager } from 'typeorm';

import { PgNotificationListener, returnedRows } from '@agentgov/persistence';
import { decryptWithKek, encryptWithKek } from '@agentgov/sealed-secrets';

import { CREDENTIALS_CONFIG, CredentialsConfig } from './credentials.config';

export const SIGNING_ALGORITHM = 'ES256';
/** Postgres NOTIFY channel: a replica that rotates the key tells the others to reload at once. */
export const SIGNING_KEYS_CHANNEL = 'provisioner_signing_keys';
/** Fallback when a notification is missed (listener reconnecting): every replica re-reads the keys this often. */
const REFRESH_INTERVAL_MS = 5000;
/**
 * A retired key stays in the JWKS for the token lifetime plus this margin: another replica may sign with it
 * until it hears of the rotation, and verifiers' clocks may be a little behind.
 */
const RETIRED_KEY_MARGIN_SECONDS = 60;
const UNKNOWN_KID_REFRESH_MS = 1000;
const LOCK = `pg_advisory_xact_lock(hashtext('provisioner.signing_keys'))`;

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
}

interface KeyRow {
  kid: string;
  private_key_encrypted: string;
  public_jwk: JWK;
  retired_at: Date | null;
}

/**
 * The issuer's ES256 keys, from the database so every replica signs with the same active key. Read at boot
 * (creating the first key if there is none), then on every NOTIFY and every few seconds; private keys are
 * decrypted once per key id and kept in memory only.
 */
@Injectable()
export class SigningKeyStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SigningKeyStore');
  private active?: ActiveSigningKey;
  private verificationKeys = new Map<string, KeyObject>();
  private publicJwks: JWK[] = [];
  private readonly decrypted = new Map<string, KeyObject>();
  private readonly publicKeys = new Map<string, KeyObject>();
  private refreshing?: Promise<void>;
  private lastUnknownKidRefresh = 0;
  private timer?: NodeJS.Timeout;
  private listener?: PgNotificationListener;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CREDENTIALS_CONFIG) private readonly config: CredentialsConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.usesDevelopmentKeyEncryptionKey) {
      this.logger.warn('ISSUER_KEY_ENCRYPTION_KEY is unset: signing keys are encrypted with the development-only key');
    }
    await this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT ${LOCK}`);
      const [existing] = await tx.query(`SELECT 1 FROM "provisioner"."signing_keys" WHERE "retired_at" IS NULL LIMIT 1`);
      if (!existing) {
        const kid = await this.insertNewKey(tx);
        this.logger.log(`created the first signing key ${kid}`);
      }
    });
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch((err) => this.logger.error({ msg: 'signing key refresh failed', err })), REFRESH_INTERVAL_MS);
    this.timer.unref();
    const refreshNow = () => void this.refresh().catch((err) => this.logger.error({ msg: 'signing key refresh failed', err }));
    this.listener = new PgNotificationListener({
      connectionString: this.config.databaseUrl,
      channel: SIGNING_KEYS_CHANNEL,
      applicationName: 'provisioner-signing-keys',
      onNotification: refreshNow,
      // Whatever changed while not listening; the timer above polls meanwhile.
      onGap: refreshNow,
      retryDelayMs: REFRESH_INTERVAL_MS,
      onError: (err) => this.logger.warn({ msg: 'not listening for signing key changes; polling until reconnected', err: err.message }),
    });
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.listener?.stop();
  }

  activeKey(): ActiveSigningKey {
    if (!this.active) throw new Error('no active signing key loaded');
    return this.active;
  }

  /** Public JWKs of the active key and of retired keys whose tokens may still be live. */
  jwks(): { keys: JWK[] } {
    return { keys: this.publicJwks };
  }

  /** The key to verify a token header with; an unknown kid triggers one (rate-limited) reload first. */
  async verificationKey(header: JWTHeaderParameters): Promise<KeyObject> {
    const kid = header.kid;
    if (!kid) throw new Error('token has no kid');
    let key = this.verificationKeys.get(kid);
    if (!key && Date.now() - this.lastUnknownKidRefresh > UNKNOWN_KID_REFRESH_MS) {
      this.lastUnknownKidRefresh = Date.now();
      await this.refreshNow();
      key = this.verificationKeys.get(kid);
    }
    if (!key) throw new Error('unknown kid');
    return key;
  }

  /**
   * Creates a key and retires every other active one, in the caller's transaction; the replicas reload when
   * it commits. Returns the new kid and the retired ones.
   */
  async rotate(tx: EntityManager): Promise<{ kid: string; retired: string[] }> {
    await tx.query(`SELECT ${LOCK}`);
    const kid = await this.insertNewKey(tx);
    const retired = (await tx.query(`UPDATE "provisioner"."signing_keys" SET "retired_at" = now() WHERE "retired_at" IS NULL AND "kid" <> $1 RETURNING "kid"`, [
      kid,
    ])) as unknown;
    await tx.query(`SELECT pg_notify($1, $2)`, [SIGNING_KEYS_CHANNEL, kid]);
    return { kid, retired: returnedRows<{ kid: string }>(retired).map((r) => r.kid) };
  }

  /**
   * Emergency revocation of a compromised key, in the caller's transaction: it leaves the JWKS and verification at
   * once on every replica (they reload on the NOTIFY), so every token it signed stops introspecting active. The
   * active key is replaced first. Undefined for an unknown kid; revoking twice is harmless.
   */
  async revoke(tx: EntityManager, kid: string): Promise<{ revoked: string; activeKid: string; rotated: boolean } | undefined> {
    await tx.query(`SELECT ${LOCK}`);
    const [row] = await tx.query(`SELECT "retired_at" FROM "provisioner"."signing_keys" WHERE "kid" = $1`, [kid]);
    if (!row) return undefined;
    let activeKid: string;
    let rotated = false;
    if (row.retired_at === null) {
      // The same rotation as rotate(): a new active key, every other one retired (the advisory lock is re-entrant).
      activeKid = (await this.rotate(tx)).kid;
      rotated = true;
    } else {
      [{ kid: activeKid }] = await tx.query(`SELECT "kid" FROM "provisioner"."signing_keys" WHERE "retired_at" IS NULL LIMIT 1`);
    }
    await tx.query(`UPDATE "provisioner"."signing_keys" SET "revoked_at" = COALESCE("revoked_at", now()) WHERE "kid" = $1`, [kid]);
    await tx.query(`SELECT pg_notify($1, $2)`, [SIGNING_KEYS_CHANNEL, kid]);
    return { revoked: kid, activeKid, rotated };
  }

  /** Whether tokens signed with this key id are still verified (a revoked or long-retired key's are not). */
  trusts(kid: string | undefined): boolean {
    return kid !== undefined && this.verificationKeys.has(kid);
  }

  /** Re-reads the keys; concurrent callers share one read. */
  refresh(): Promise<void> {
    this.refreshing ??= this.load().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** A read that starts after this call, for a caller that must see a change it knows is committed. */
  async refreshNow(): Promise<void> {
    await this.refreshing?.catch(() => undefined);
    await this.refresh();
  }

  private async load(): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT "kid", "private_key_encrypted", "public_jwk", "retired_at" FROM "provisioner"."signing_keys"
        WHERE "revoked_at" IS NULL AND ("retired_at" IS NULL OR "retired_at" > now() - make_interval(secs => $1))
        ORDER BY "retired_at" DESC NULLS FIRST, "created_at" DESC`,
      [this.config.ttlSeconds + RETIRED_KEY_MARGIN_SECONDS],
    )) as KeyRow[];
    const current = rows.find((row) => row.retired_at === null);
    if (!current) throw new Error('no active signing key in provisioner.signing_keys');

    let privateKey = this.decrypted.get(current.kid);
    if (!privateKey) {
      const jwk = JSON.parse(decryptWithKek(this.config.keyEncryptionKey, current.private_key_encrypted, current.kid)) as JWK;
      privateKey = (await importJWK(jwk, SIGNING_ALGORITHM)) as KeyObject;
      this.decrypted.set(current.kid, privateKey);
    }
    const verificationKeys = new Map<string, KeyObject>();
    for (const row of rows) {
      let publicKey = this.publicKeys.get(row.kid);
      if (!publicKey) {
        publicKey = (await importJWK(row.public_jwk, SIGNING_ALGORITHM)) as KeyObject;
        this.publicKeys.set(row.kid, publicKey);
      }
      verificationKeys.set(row.kid, publicKey);
    }
    this.active = { kid: current.kid, privateKey };
    this.verificationKeys = verificationKeys;
    this.publicJwks = rows.map((row) => ({ ...row.public_jwk, kid: row.kid, alg: SIGNING_ALGORITHM, use: 'sig' }));
    for (const kid of [...this.decrypted.keys()]) if (kid !== current.kid) this.decrypted.delete(kid);
  }

  private async insertNewKey(tx: EntityManager): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const sealed = encryptWithKek(this.config.keyEncryptionKey, JSON.stringify(await exportJWK(privateKey)), kid);
    await tx.query(`INSERT INTO "provisioner"."signing_keys" ("kid", "private_key_encrypted", "public_jwk") VALUES ($1, $2, $3::jsonb)`, [
      kid,
      sealed,
      JSON.stringify({ kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y }),
    ]);
    return kid;
  }
}
