import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { returnedRows } from '@agentgov/persistence';

import { auditActor, Cause } from '../common/cause';
import { normalizePhone, Owner, OwnerIdentity, OwnerProfile, PROFILE_COLUMNS } from './owner';
import { OwnerError } from './owners.errors';
import { OwnersRepository } from './owners.repository';
import { UnmatchedSignals } from './unmatched-signals';

export interface CreateOwnerInput extends OwnerProfile {
  id?: string;
  identities?: OwnerIdentity[];
}

const OWNERS = '"provisioner"."owners"';
const IDENTITIES = '"provisioner"."owner_identities"';

/**
 * Creates owners and changes their profile and identity links, each change audited in its transaction.
 * Status is not changed here: it follows identity.lifecycle.v1 events only (see LifecycleReporter).
 */
@Injectable()
export class OwnersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: OwnersRepository,
    private readonly audit: AuditChain,
    private readonly unmatched: UnmatchedSignals,
  ) {}

  create(input: CreateOwnerInput, cause: Cause): Promise<Owner> {
    return this.dataSource.transaction((tx) => this.createIn(tx, input, cause));
  }

  async createIn(tx: EntityManager, input: CreateOwnerInput, cause: Cause): Promise<Owner> {
    const id = input.id ?? randomUUID();
    const profile = normalizeProfile(input);
    const inserted = await tx.query(
      `INSERT INTO ${OWNERS} ("id", "email", "phone", "display_name", "manager_id", "team")
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ("id") DO NOTHING RETURNING "id"`,
      [id, profile.email ?? null, profile.phone ?? null, profile.displayName ?? null, profile.managerId ?? null, profile.team ?? null],
    );
    if (inserted.length === 0) throw OwnerError.exists(id);
    const identities = dedupeIdentities(input.identities ?? []);
    await this.insertIdentities(tx, id, identities);
    await this.audit.append(tx, [
      {
        at: new Date(),
        ...auditActor(cause),
        action: 'owner.created',
        subjectType: 'owner',
        subjectId: id,
        details: { profile: withoutUndefined(profile), identities },
      },
    ]);
    // A signal kept because it named nobody (an IdP's termination before the person was registered) applies now.
    await this.unmatched.applyPendingFor(tx, id, cause);
    return this.directory.getById(id, tx);
  }

  updateProfile(id: string, changes: OwnerProfile, cause: Cause): Promise<Owner> {
    return this.dataSource.transaction((tx) => this.updateProfileIn(tx, id, changes, cause));
  }

  /** Writes only the fields that differ; an update that changes nothing is not audited. */
  async updateProfileIn(tx: EntityManager, id: string, changes: OwnerProfile, cause: Cause): Promise<Owner> {
    const [current] = await tx.query(`SELECT * FROM ${OWNERS} WHERE "id" = $1 FOR UPDATE`, [id]);
    if (!current) throw OwnerError.notFound(id);
    const normalized = normalizeProfile(changes);
    const changed: Record<string, unknown> = {};
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [field, column] of Object.entries(PROFILE_COLUMNS) as Array<[keyof OwnerProfile, string]>) {
      const value = normalized[field];
      if (value === undefined || value === (current[column] ?? null)) continue;
      changed[field] = value;
      sets.push(`"${column}" = $${params.push(value)}`);
    }
    if (sets.length > 0) {
      await tx.query(`UPDATE ${OWNERS} SET ${sets.join(', ')}, "updated_at" = now() WHERE "id" = $1`, params);
      await this.audit.append(tx, [
        { at: new Date(), ...auditActor(cause), action: 'owner.profile-updated', subjectType: 'owner', subjectId: id, details: { changes: changed } },
      ]);
      if ('email' in changed || 'phone' in changed) await this.unmatched.applyPendingFor(tx, id, cause);
    }
    return this.directory.getById(id, tx);
  }

  replaceIdentities(id: string, identities: OwnerIdentity[], cause: Cause): Promise<Owner> {
    return this.dataSource.transaction(async (tx) => {
      await this.lockOwner(tx, id);
      const wanted = dedupeIdentities(identities);
      const current = (await this.directory.identitiesOf([id], tx)).get(id) ?? [];
      const key = (i: OwnerIdentity) => `${i.source}\u0000${i.externalId}`;
      const wantedKeys = new Set(wanted.map(key));
      const currentKeys = new Set(current.map(key));
      const removed = current.filter((i) => !wantedKeys.has(key(i)));
      const added = wanted.filter((i) => !currentKeys.has(key(i)));
      for (const identity of removed) {
        await tx.query(`DELETE FROM ${IDENTITIES} WHERE "source" = $1 AND "external_id" = $2 AND "owner_id" = $3`, [identity.source, identity.externalId, id]);
      }
      await this.insertIdentities(tx, id, added);
      if (removed.length > 0 || added.length > 0) {
        await tx.query(`UPDATE ${OWNERS} SET "updated_at" = now() WHERE "id" = $1`, [id]);
        await this.audit.append(tx, [
          { at: new Date(), ...auditActor(cause), action: 'owner.identities-changed', subjectType: 'owner', subjectId: id, details: { added, removed } },
        ]);
      }
      if (added.length > 0) await this.unmatched.applyPendingFor(tx, id, cause);
      return this.directory.getById(id, tx);
    });
  }

  /** Links one identity (idempotent); refuses one that belongs to another owner. */
  async linkIdentityIn(tx: EntityManager, id: string, identity: OwnerIdentity, cause: Cause): Promise<void> {
    const added = await this.insertIdentities(tx, id, [identity]);
    if (added > 0) {
      await this.audit.append(tx, [
        {
          at: new Date(),
          ...auditActor(cause),
          action: 'owner.identities-changed',
          subjectType: 'owner',
          subjectId: id,
          details: { added: [identity], removed: [] },
        },
      ]);
      await this.unmatched.applyPendingFor(tx, id, cause);
    }
  }

  /** Removes the owner's identities of one source except `keep` (e.g. a SCIM client changing a user's externalId). */
  async unlinkSourceIn(tx: EntityManager, id: string, source: string, keep: string | undefined, cause: Cause): Promise<void> {
    const removed = returnedRows<{ external_id: string }>(
      await tx.query(
        `DELETE FROM ${IDENTITIES} WHERE "owner_id" = $1 AND "source" = $2 AND ($3::text IS NULL OR "external_id" <> $3) RETURNING "external_id"`,
        [id, source, keep ?? null],
      ),
    );
    if (removed.length > 0) {
      await this.audit.append(tx, [
        {
          at: new Date(),
          ...auditActor(cause),
          action: 'owner.identities-changed',
          subjectType: 'owner',
          subjectId: id,
          details: { added: [], removed: removed.map((r) => ({ source, externalId: r.external_id })) },
        },
      ]);
    }
  }

  private async lockOwner(tx: EntityManager, id: string): Promise<void> {
    const [row] = await tx.query(`SELECT "id" FROM ${OWNERS} WHERE "id" = $1 FOR UPDATE`, [id]);
    if (!row) throw OwnerError.notFound(id);
  }

  /** Returns how many were new; throws when one is linked to another owner. */
  private async insertIdentities(tx: EntityManager, ownerId: string, identities: OwnerIdentity[]): Promise<number> {
    let added = 0;
    for (const identity of identities) {
      const inserted = await tx.query(
        `INSERT INTO ${IDENTITIES} ("source", "external_id", "owner_id") VALUES ($1, $2, $3)
         ON CONFLICT ("source", "external_id") DO NOTHING RETURNING "owner_id"`,
        [identity.source, identity.externalId, ownerId],
      );
      if (inserted.length > 0) {
        added += 1;
        continue;
      }
      const [existing] = await tx.query(`SELECT "owner_id" FROM ${IDENTITIES} WHERE "source" = $1 AND "external_id" = $2`, [
        identity.source,
        identity.externalId,
      ]);
      if (existing && existing.owner_id !== ownerId) throw OwnerError.identityTaken(identity.source, identity.externalId);
    }
    return added;
  }
}

/** Only the profile fields, with email trimmed and phone in its normal form; undefined means "leave as is". */
function normalizeProfile(input: OwnerProfile): OwnerProfile {
  const profile: OwnerProfile = {};
  for (const field of Object.keys(PROFILE_COLUMNS) as Array<keyof OwnerProfile>) {
    const value = input[field];
    if (value === undefined) continue;
    if (typeof value === 'string' && field === 'email') profile.email = value.trim();
    else if (typeof value === 'string' && field === 'phone') profile.phone = normalizePhone(value);
    else profile[field] = value;
  }
  return profile;
}

function dedupeIdentities(identities: OwnerIdentity[]): OwnerIdentity[] {
  const seen = new Set<string>();
  return identities.filter((i) => {
    const key = `${i.source}\u0000${i.externalId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function withoutUndefined(profile: OwnerProfile): Record<string, unknown> {
  return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined));
}
