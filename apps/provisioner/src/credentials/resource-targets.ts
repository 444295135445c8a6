import { Injectable } from '@nestjs/common';

import { ResourceServer } from '../resource-servers/resource-server';
import { ResourceServersRepository } from '../resource-servers/resource-servers.repository';
import { OAuthError } from './credentials.errors';
import { ScopeCeiling } from './scope';

/** The registered resource servers a token request names with `resource` (RFC 8707), and what they let it carry. */
@Injectable()
export class ResourceTargets {
  constructor(private readonly registry: ResourceServersRepository) {}

  /** Every one must be registered: a token for a resource this issuer does not know is refused, not issued unbound. */
  async resolve(resources: readonly string[]): Promise<ResourceServer[]> {
    const found = await this.registry.findByResources(resources);
    if (found.length !== resources.length) throw new OAuthError('invalid_target', 'A requested resource is not registered with this issuer.');
    return found;
  }
}

/**
 * A token for several resources may carry a scope any of them offers: each resource server acts only on the scopes
 * its own tools define (RFC 8707 §2 leaves the combination to the authorization server).
 */
export function resourceCeiling(targets: readonly ResourceServer[]): ScopeCeiling {
  return {
    scopes: targets.flatMap((t) => t.scopesSupported),
    what: targets.length === 1 ? 'the scopes the resource offers' : 'the scopes the resources offer',
  };
}
