import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { returnedRows } from '@agentgov/persistence';

import { RESOURCE_SERVER_COLUMNS, ResourceServer, rowToResourceServer } from './resource-server';
import { ResourceServerError, ResourceServerErrorCode } from './resource-servers.errors';

const T = '"provisioner"."resource_servers"';

export interface ResourceServerFields {
  name: string;
  scopesSupported: string[];
  authorizationServers: string[];
  documentationUrl: string | null;
}

/** The resource server registry's SQL. */
@Injectable()
export class ResourceServersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Undefined when the identifier is taken. */
  async insert(tx: EntityManager, server: { id: string; resource: string; createdBy: string } & ResourceServerFields): Promise<ResourceServer | undefined> {
    const result = await tx.query(
      `INSERT INTO ${T} ("id", "resource", "name", "scopes_supported", "authorization_servers", "documentation_url", "created_by")
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT ("resource") DO NOTHING RETURNING ${RESOURCE_SERVER_COLUMNS}`,
      [server.id, server.resource, server.name, server.scopesSupported, server.authorizationServers, server.documentationUrl, server.createdBy],
    );
    const [row] = returnedRows(result);
    return row ? rowToResourceServer(row) : undefined;
  }

  async update(tx: EntityManager, id: string, fields: ResourceServerFields): Promise<ResourceServer | undefined> {
    const result = await tx.query(
      `UPDATE ${T} SET "name" = $2, "scopes_supported" = $3, "authorization_servers" = $4, "documentation_url" = $5, "updated_at" = now()
        WHERE "id" = $1 RETURNING ${RESOURCE_SERVER_COLUMNS}`,
      [id, fields.name, fields.scopesSupported, fields.authorizationServers, fields.documentationUrl],
    );
    const [row] = returnedRows(result);
    return row ? rowToResourceServer(row) : undefined;
  }

  async delete(tx: EntityManager, id: string): Promise<ResourceServer | undefined> {
    const [row] = returnedRows(await tx.query(`DELETE FROM ${T} WHERE "id" = $1 RETURNING ${RESOURCE_SERVER_COLUMNS}`, [id]));
    return row ? rowToResourceServer(row) : undefined;
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<ResourceServer | undefined> {
    const [row] = await manager.query(`SELECT ${RESOURCE_SERVER_COLUMNS} FROM ${T} WHERE "id" = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row ? rowToResourceServer(row) : undefined;
  }

  async getById(id: string): Promise<ResourceServer> {
    const server = await this.findById(id);
    if (!server) throw new ResourceServerError(ResourceServerErrorCode.NotFound, `No resource server has the id ${id}.`);
    return server;
  }

  /** The registered servers among these identifiers, compared exactly as sent (a token's aud is that string). */
  async findByResources(resources: readonly string[]): Promise<ResourceServer[]> {
    if (resources.length === 0) return [];
    const rows = await this.dataSource.query(`SELECT ${RESOURCE_SERVER_COLUMNS} FROM ${T} WHERE "resource" = ANY($1::text[])`, [resources]);
    return rows.map(rowToResourceServer);
  }

  /** Every registered identifier, for the authorization server metadata's protected_resources (RFC 9728 §4). */
  async identifiers(): Promise<string[]> {
    const rows: Array<{ resource: string }> = await this.dataSource.query(`SELECT "resource" FROM ${T} ORDER BY "resource"`);
    return rows.map((r) => r.resource);
  }

  /** By identifier; `after` is the last identifier of the previous page. */
  async list(page: { limit: number; after?: string }): Promise<{ items: ResourceServer[]; nextCursor?: string }> {
    const params: unknown[] = [];
    const where = page.after !== undefined ? `WHERE "resource" > $${params.push(page.after)}` : '';
    const rows = await this.dataSource.query(
      `SELECT ${RESOURCE_SERVER_COLUMNS} FROM ${T} ${where} ORDER BY "resource" LIMIT $${params.push(page.limit + 1)}`,
      params,
    );
    const items: ResourceServer[] = rows.slice(0, page.limit).map(rowToResourceServer);
    const last = items.at(-1);
    return { items, ...(rows.length > page.limit && last ? { nextCursor: last.resource } : {}) };
  }
}
