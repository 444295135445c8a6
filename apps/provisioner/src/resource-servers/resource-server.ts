/** A protected resource (an API, an MCP server) tokens can be issued for, as the registry holds it. */
export interface ResourceServer {
  id: string;
  /** RFC 9728 `resource`: the identifier a token for it carries as `aud`. */
  resource: string;
  name: string;
  /** Tool-level scopes: what a token for this resource may carry, e.g. crm.records.read, crm.records.delete. */
  scopesSupported: string[];
  /** As registered; empty means this issuer only. */
  authorizationServers: string[];
  documentationUrl: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export const RESOURCE_SERVER_COLUMNS = `"id", "resource", "name", "scopes_supported", "authorization_servers", "documentation_url", "created_by",
  "created_at", "updated_at"`;

export function rowToResourceServer(row: Record<string, any>): ResourceServer {
  return {
    id: row.id,
    resource: row.resource,
    name: row.name,
    scopesSupported: row.scopes_supported ?? [],
    authorizationServers: row.authorization_servers ?? [],
    documentationUrl: row.documentation_url ?? null,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The resource's RFC 9728 §2 metadata document, as its own /.well-known/oauth-protected-resource would serve it. */
export function protectedResourceMetadata(server: ResourceServer, issuer: string) {
  return {
    resource: server.resource,
    authorization_servers: server.authorizationServers.length > 0 ? server.authorizationServers : [issuer],
    scopes_supported: server.scopesSupported,
    // This issuer's tokens are bearer tokens sent in the Authorization header (RFC 6750 §2.1).
    bearer_methods_supported: ['header'],
    resource_name: server.name,
    ...(server.documentationUrl ? { resource_documentation: server.documentationUrl } : {}),
  };
}

/** The JSON shape of a resource server in API answers: its registry record around its RFC 9728 metadata. */
export function resourceServerView(server: ResourceServer, issuer: string) {
  return {
    id: server.id,
    metadata: protectedResourceMetadata(server, issuer),
    createdBy: server.createdBy,
    createdAt: server.createdAt.toISOString(),
    updatedAt: server.updatedAt.toISOString(),
  };
}
