import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';

import { auditActor, Cause } from '../common/cause';
import { resourceIdentifierProblem } from './resource-identifier';
import { ResourceServer } from './resource-server';
import { RESOURCE_SERVERS_CONFIG, ResourceServersConfig } from './resource-servers.config';
import { ResourceServerError, ResourceServerErrorCode } from './resource-servers.errors';
import { ResourceServerFields, ResourceServersRepository } from './resource-servers.repository';

/** RFC 9728 metadata members an administrator sets; the rest of the document follows from them and this issuer. */
export interface ResourceServerMetadata {
  resource: string;
  resource_name: string;
  scopes_supported: string[];
  authorization_servers?: string[];
  resource_documentation?: string;
}

export type ResourceServerChanges = Partial<Omit<ResourceServerMetadata, 'resource' | 'resource_documentation'>> & {
  resource_documentation?: string | null;
};

/**
 * Registers, changes and removes resource servers, each change audited in its transaction. A token already issued
 * for a resource keeps its audience and scopes until it expires (ACCESS_TOKEN_TTL_SECONDS at most); new tokens follow
 * the registry at once.
 */
@Injectable()
export class ResourceServersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: ResourceServersRepository,
    private readonly audit: AuditChain,
    @Inject(RESOURCE_SERVERS_CONFIG) private readonly config: ResourceServersConfig,
  ) {}

  register(metadata: ResourceServerMetadata, cause: Cause): Promise<ResourceServer> {
    const problem = resourceIdentifierProblem(metadata.resource, this.config);
    if (problem) throw new ResourceServerError(ResourceServerErrorCode.Invalid, `resource ${problem}.`);
    const fields = this.checkedFields({
      name: metadata.resource_name,
      scopesSupported: metadata.scopes_supported,
      authorizationServers: metadata.authorization_servers ?? [],
      documentationUrl: metadata.resource_documentation ?? null,
    });
    return this.dataSource.transaction(async (tx) => {
      const server = await this.repository.insert(tx, { id: randomUUID(), resource: metadata.resource, createdBy: cause.actor ?? 'unknown', ...fields });
      if (!server) throw new ResourceServerError(ResourceServerErrorCode.Exists, `${metadata.resource} is already registered.`);
      await this.record(tx, 'resource-server.registered', server, cause);
      return server;
    });
  }

  update(id: string, changes: ResourceServerChanges, cause: Cause): Promise<ResourceServer> {
    return this.dataSource.transaction(async (tx) => {
      const current = await this.repository.findById(id, tx, true);
      if (!current) throw notFound(id);
      const fields = this.checkedFields({
        name: changes.resource_name ?? current.name,
        scopesSupported: changes.scopes_supported ?? current.scopesSupported,
        authorizationServers: changes.authorization_servers ?? current.authorizationServers,
        documentationUrl: changes.resource_documentation === undefined ? current.documentationUrl : changes.resource_documentation,
      });
      const server = await this.repository.update(tx, id, fields);
      if (!server) throw notFound(id);
      await this.record(tx, 'resource-server.updated', server, cause);
      return server;
    });
  }

  remove(id: string, cause: Cause): Promise<void> {
    return this.dataSource.transaction(async (tx) => {
      const server = await this.repository.delete(tx, id);
      if (!server) throw notFound(id);
      await this.record(tx, 'resource-server.deleted', server, cause);
    });
  }

  /** A resource that names authorization servers must name this one: tokens for it come from here. */
  private checkedFields(fields: ResourceServerFields): ResourceServerFields {
    const servers = [...new Set(fields.authorizationServers.map((s) => s.replace(/\/+$/, '')))];
    if (servers.length > 0 && !servers.includes(this.config.issuer)) {
      throw new ResourceServerError(ResourceServerErrorCode.Invalid, `authorization_servers must include this issuer, ${this.config.issuer}.`);
    }
    return { ...fields, scopesSupported: [...new Set(fields.scopesSupported)], authorizationServers: servers };
  }

  private record(tx: EntityManager, action: string, server: ResourceServer, cause: Cause): Promise<void> {
    return this.audit.append(tx, [
      {
        at: new Date(),
        ...auditActor(cause),
        action,
        subjectType: 'resource-server',
        subjectId: server.id,
        details: { resource: server.resource, name: server.name, scopesSupported: server.scopesSupported, authorizationServers: server.authorizationServers },
      },
    ]);
  }
}

function notFound(id: string): ResourceServerError {
  return new ResourceServerError(ResourceServerErrorCode.NotFound, `No resource server has the id ${id}.`);
}
