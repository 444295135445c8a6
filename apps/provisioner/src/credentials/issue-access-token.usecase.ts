import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { DataSource } from 'typeorm';

import { ACCESS_TOKEN_TYPE, buildAccessTokenClaims } from './access-token-claims';
import { AuthenticatedClient } from './client-authenticator';
import { CREDENTIALS_CONFIG, CredentialsConfig } from './credentials.config';
import { OAuthError } from './credentials.errors';
import { resourceCeiling, ResourceTargets } from './resource-targets';
import { attenuateScopes, resolveScopes } from './scope';
import { SIGNING_ALGORITHM, SigningKeyStore } from './signing-key-store';

/** Deeper than any delegation tree the registry allows; bounds the walk if the data were ever cyclic. */
const MAX_CHAIN = 64;

export interface TokenResponse {
  access_token: string;
  /** Token exchange only (RFC 8693 §2.2.1). */
  issued_token_type?: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * Client credentials grant: an ES256 RFC 9068 access token for an authenticated, active agent; with `resource`
 * (RFC 8707), bound to those registered resources (its `aud`) and limited to the scopes they offer.
 */
@Injectable()
export class IssueAccessTokenUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: SigningKeyStore,
    private readonly targets: ResourceTargets,
    @Inject(CREDENTIALS_CONFIG) private readonly config: CredentialsConfig,
  ) {}

  async execute(client: AuthenticatedClient, requestedScope: string | undefined, resources: readonly string[] = []): Promise<TokenResponse> {
    const targets = await this.targets.resolve(resources);
    const scopes =
      targets.length === 0
        ? resolveScopes(requestedScope, client.scopes)
        : attenuateScopes(requestedScope, [{ scopes: client.scopes, what: 'the scopes granted to the client' }, resourceCeiling(targets)]);
    if (!scopes.ok) throw new OAuthError(scopes.error, scopes.description);
    const ancestors = client.parentId ? await this.ancestors(client.parentId) : [];
    // A sub-agent acts for its parents: none of them may be cut off.
    if (ancestors.some((a) => !a.usable)) throw new OAuthError('invalid_client', 'Client authentication failed.');

    const key = this.keys.activeKey();
    const claims = buildAccessTokenClaims({
      issuer: this.config.issuer,
      audience: targets.length > 0 ? targets.map((t) => t.resource) : this.config.audience,
      agentId: client.id,
      ownerId: client.ownerId,
      ancestors: ancestors.map((a) => a.id),
      scopes: scopes.scopes,
      jti: randomUUID(),
      issuedAtMs: Date.now(),
      ttlSeconds: this.config.ttlSeconds,
    });
    const token = await new SignJWT(claims).setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: key.kid }).sign(key.privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: this.config.ttlSeconds, scope: scopes.scopes.join(' ') };
  }

  /** Parent first, root last. */
  private async ancestors(parentId: string): Promise<{ id: string; usable: boolean }[]> {
    const rows = (await this.dataSource.query(
      `WITH RECURSIVE "chain" ("id", "parent_id", "usable", "level") AS (
         SELECT "id", "parent_id", ("status" = 'active' AND ("expires_at" IS NULL OR "expires_at" > now())), 1
           FROM "provisioner"."agents" WHERE "id" = $1
         UNION ALL
         SELECT a."id", a."parent_id", (a."status" = 'active' AND (a."expires_at" IS NULL OR a."expires_at" > now())), c."level" + 1
           FROM "provisioner"."agents" a JOIN "chain" c ON a."id" = c."parent_id"
          WHERE c."level" < $2
       )
       SELECT "id", "usable" FROM "chain" ORDER BY "level"`,
      [parentId, MAX_CHAIN],
    )) as { id: string; usable: boolean }[];
    return rows;
  }
}
