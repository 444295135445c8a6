import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { OwnerStatus } from '@agentgov/contracts';

import { normalizePhone, Owner, OwnerIdentity, toOwner } from './owner';
import { OwnerError } from './owners.errors';

/** A way a sender names an owner. */
export type OwnerSubject = { ownerId: string } | { source: string; externalId: string } | { email: string } | { phone: string };

export interface ResolvedOwner {
  owner: Owner;
  /** Which of the candidate subjects matched. */
  by: OwnerSubject;
}

export interface OwnerPage {
  items: Owner[];
  nextCursor?: string;
}

const OWNERS = '"provisioner"."owners"';
const IDENTITIES = '"provisioner"."owner_identities"';

/**
 * Reads the owner registry and finds the owner an IdP means. A subject that matches several owners (two
 * owners sharing an email or phone) resolves to none: offboarding the wrong person is worse than a miss.
 */
@Injectable()
export class OwnersRepository {
  private readonly logger = new Logger('OwnersRepository');

  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<Owner | undefined> {
    const [row] = await manager.query(`SELECT * FROM ${OWNERS} WHERE "id" = $1`, [id]);
    if (!row) return undefined;
    return toOwner(row, await this.identitiesOf([id], manager).then((m) => m.get(id) ?? []));
  }

  async getById(id: string, manager?: EntityManager): Promise<Owner> {
    const owner = await this.findById(id, manager);
    if (!owner) throw OwnerError.notFound(id);
    return owner;
  }

  async list(filter: { status?: OwnerStatus; limit: number; cursor?: string }): Promise<OwnerPage> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.status) where.push(`"status" = $${params.push(filter.status)}`);
    if (filter.cursor) where.push(`"id" > $${params.push(decodeCursor(filter.cursor))}`);
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT * FROM ${OWNERS} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY "id" LIMIT $${params.push(filter.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, filter.limit);
    const identities = await this.identitiesOf(
      page.map((r) => r.id),
      this.dataSource.manager,
    );
    return {
      items: page.map((row) => toOwner(row, identities.get(row.id) ?? [])),
      ...(rows.length > filter.limit ? { nextCursor: encodeCursor(page[page.length - 1].id) } : {}),
    };
  }

  /** The owner a subject names, or undefined when none (or more than one) matches. */
  async resolve(subject: OwnerSubject, manager: EntityManager = this.dataSource.manager): Promise<Owner | undefined> {
    let ids: string[];
    if ('ownerId' in subject) {
      ids = (await manager.query(`SELECT "id" FROM ${OWNERS} WHERE "id" = $1`, [subject.ownerId])).map((r: { id: string }) => r.id);
    } else if ('externalId' in subject) {
      ids = (
        await manager.query(`SELECT "owner_id" AS "id" FROM ${IDENTITIES} WHERE "source" = $1 AND "external_id" = $2`, [subject.source, subject.externalId])
      ).map((r: { id: string }) => r.id);
    } else if ('email' in subject) {
      const email = subject.email.trim();
      if (!email) return undefined;
      ids = (await manager.query(`SELECT "id" FROM ${OWNERS} WHERE lower("email") = lower($1) LIMIT 2`, [email])).map((r: { id: string }) => r.id);
    } else {
      const phone = normalizePhone(subject.phone);
      if (!phone) return undefined;
      ids = (await manager.query(`SELECT "id" FROM ${OWNERS} WHERE "phone" = $1 LIMIT 2`, [phone])).map((r: { id: string }) => r.id);
    }
    if (ids.length > 1) {
      this.logger.warn(`a ${'email' in subject ? 'email' : 'phone'} subject matches several owners; treated as unknown`);
      return undefined;
    }
    return ids.length === 1 ? this.findById(ids[0], manager) : undefined;
  }

  /** The first candidate that names exactly one owner, in the order given. */
  async resolveFirst(candidates: readonly OwnerSubject[], manager?: EntityManager): Promise<ResolvedOwner | undefined> {
    for (const by of candidates) {
      const owner = await this.resolve(by, manager);
      if (owner) return { owner, by };
    }
    return undefined;
  }

  /** The external ids the owner is linked to at one source (an IdP). */
  async linkedIds(ownerId: string, source: string, manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows: Array<{ external_id: string }> = await manager.query(`SELECT "external_id" FROM ${IDENTITIES} WHERE "owner_id" = $1 AND "source" = $2`, [
      ownerId,
      source,
    ]);
    return rows.map((r) => r.external_id);
  }

  async identitiesOf(ownerIds: string[], manager: EntityManager): Promise<Map<string, OwnerIdentity[]>> {
    const result = new Map<string, OwnerIdentity[]>();
    if (ownerIds.length === 0) return result;
    const rows: Array<{ source: string; external_id: string; owner_id: string }> = await manager.query(
      `SELECT "source", "external_id", "owner_id" FROM ${IDENTITIES} WHERE "owner_id" = ANY($1::text[]) ORDER BY "source", "external_id"`,
      [ownerIds],
    );
    for (const row of rows) {
      const list = result.get(row.owner_id) ?? [];
      list.push({ source: row.source, externalId: row.external_id });
      result.set(row.owner_id, list);
    }
    return result;
  }
}

function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed?.after === 'string') return parsed.after;
  } catch {
    // falls through to the error
  }
  throw OwnerError.invalidCursor();
}
