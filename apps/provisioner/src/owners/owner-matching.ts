import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { normalizePhone, Owner, SCIM_USERNAME_SOURCE } from './owner';
import { OwnersRepository, OwnerSubject } from './owners.repository';

/** What an identity signal says about whom it means, as its sender put it. */
export interface SignalSubject {
  /** The names it carries, most specific first (e.g. the IdP's user id, then its login email). */
  candidates: readonly OwnerSubject[];
}

export type OwnerMatch =
  { outcome: 'matched'; owner: Owner; by: OwnerSubject } | { outcome: 'ambiguous'; by: OwnerSubject; ownerIds: string[] } | { outcome: 'unmatched' };

const OWNERS = '"provisioner"."owners"';
/** A user its SCIM client deleted is gone for names (its email may be re-used by a new user); its links still name it. */
const NOT_SCIM_DELETED = `NOT EXISTS (SELECT 1 FROM "provisioner"."scim_users" s WHERE s."owner_id" = o."id" AND s."deleted_at" IS NOT NULL)`;

/**
 * The one rule by which every identity signal (Okta event hooks, Shared Signals SETs, unmatched signals applied
 * later) finds the owner it means; docs/identity-matching.md explains it for integrators.
 *
 *  1. Candidates are tried in the order the sender's adapter gives them, most specific first.
 *  2. An owner id names that owner. A linked identity (an IdP's own id for the person: source and external id, as
 *     linked with PUT /owners/{id}/identities) names the owner it is linked to.
 *  3. An email names the owners whose email, or SCIM userName, is that address, compared without case; a phone,
 *     the owners whose phone has the same normal form. A user its SCIM client deleted is named by neither.
 *  4. An email or phone never names an owner linked, at a source the signal also names an id at, to a different id
 *     there: an IdP admin can give any account any login, and the link is what identifies the person.
 *  5. The first candidate that names anyone decides: exactly one owner is a match; several are ambiguous, and
 *     nobody is offboarded on a guess (the signal is kept as unmatched, for a person to resolve). None at all is
 *     unmatched, and kept too.
 */
@Injectable()
export class OwnerMatcher {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: OwnersRepository,
  ) {}

  async match(subject: SignalSubject, manager: EntityManager = this.dataSource.manager): Promise<OwnerMatch> {
    const linkedAt = subject.candidates.filter((c): c is { source: string; externalId: string } => 'externalId' in c);
    for (const by of subject.candidates) {
      let ids = await this.ownersNamedBy(by, manager);
      if ('email' in by || 'phone' in by) ids = await this.withoutOwnersLinkedElsewhere(ids, linkedAt, manager);
      if (ids.length === 1) {
        const owner = await this.directory.findById(ids[0], manager);
        if (owner) return { outcome: 'matched', owner, by };
      }
      if (ids.length > 1) return { outcome: 'ambiguous', by, ownerIds: ids };
    }
    return { outcome: 'unmatched' };
  }

  private async ownersNamedBy(by: OwnerSubject, manager: EntityManager): Promise<string[]> {
    const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);
    if ('ownerId' in by) return ids(await manager.query(`SELECT "id" FROM ${OWNERS} WHERE "id" = $1`, [by.ownerId]));
    if ('externalId' in by) {
      return ids(
        await manager.query(`SELECT "owner_id" AS "id" FROM "provisioner"."owner_identities" WHERE "source" = $1 AND "external_id" = $2`, [
          by.source,
          by.externalId,
        ]),
      );
    }
    if ('email' in by) {
      const email = by.email.trim();
      if (!email) return [];
      return ids(
        await manager.query(
          `SELECT o."id" FROM ${OWNERS} o
           WHERE (lower(o."email") = lower($1)
                  OR EXISTS (SELECT 1 FROM "provisioner"."owner_identities" i WHERE i."owner_id" = o."id" AND i."source" = $2 AND lower(i."external_id") = lower($1)))
             AND ${NOT_SCIM_DELETED}
           ORDER BY o."id" LIMIT 20`,
          [email, SCIM_USERNAME_SOURCE],
        ),
      );
    }
    const phone = normalizePhone(by.phone);
    return phone
      ? ids(await manager.query(`SELECT o."id" FROM ${OWNERS} o WHERE o."phone" = $1 AND ${NOT_SCIM_DELETED} ORDER BY o."id" LIMIT 20`, [phone]))
      : [];
  }

  /** Rule 4: drops owners linked, at a source the signal names an id at, to another id. */
  private async withoutOwnersLinkedElsewhere(
    ownerIds: string[],
    linkedAt: ReadonlyArray<{ source: string; externalId: string }>,
    manager: EntityManager,
  ): Promise<string[]> {
    if (ownerIds.length === 0 || linkedAt.length === 0) return ownerIds;
    const rows: Array<{ owner_id: string }> = await manager.query(
      `SELECT DISTINCT i."owner_id" FROM "provisioner"."owner_identities" i
       JOIN unnest($2::text[], $3::text[]) AS s("source", "external_id") ON i."source" = s."source" AND i."external_id" <> s."external_id"
       WHERE i."owner_id" = ANY($1::text[])`,
      [ownerIds, linkedAt.map((l) => l.source), linkedAt.map((l) => l.externalId)],
    );
    const elsewhere = new Set(rows.map((r) => r.owner_id));
    return ownerIds.filter((id) => !elsewhere.has(id));
  }
}
