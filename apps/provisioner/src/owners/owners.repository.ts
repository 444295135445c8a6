import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { OwnerStatus } from '@agentgov/contracts';

import { Owner, OwnerIdentity, toOwner } from './owner';
import { OwnerError } from './owners.errors';

/** A way a sender names an owner (see OwnerMatcher). */
export type OwnerSubject = { ownerId: string } | { source: string; externalId: string } | { email: string } | { phone: string };

export interface OwnerPage {
  items: Owner[];
  nextCursor?: string;
}

const OWNERS = '"provisioner"."owners"';
const IDENTITIES = '"provisioner"."owner_identities"';

/** Reads the owner registry (which owner an identity signal means is OwnerMatcher's rule). */
@Injectable()
export class OwnersRepository {
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
