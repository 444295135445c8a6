import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

import { Public } from '@agentgov/auth';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ProvisionerEnv } from '../config/provisioner.env';
import { REVOCATION_ASSERTION_AUTH_METHOD } from '../global-token-revocation/idp-revocation-assertion';
import { trustedRevocationIdpsFrom } from '../global-token-revocation/trusted-revocation-idps';
import { ResourceServersRepository } from '../resource-servers/resource-servers.repository';
import { CREDENTIALS_CONFIG, CredentialsConfig } from './credentials.config';
import { SIGNING_ALGORITHM, SigningKeyStore } from './signing-key-store';
import { CLIENT_CREDENTIALS_GRANT, TOKEN_EXCHANGE_GRANT } from './token-request-parameters';

/** Discovery of the embedded authorization server: its keys (RFC 7517) and metadata (RFC 8414, with RFC 9728 §4). */
@ApiTags('oauth')
@Controller('.well-known')
@Public()
export class WellKnownController {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly resources: ResourceServersRepository,
    @Inject(CREDENTIALS_CONFIG) private readonly config: CredentialsConfig,
    @Inject(SERVICE_ENV) private readonly env: ProvisionerEnv,
  ) {}

  @Get('jwks.json')
  // Short: after a rotation, verifiers that cache should see the new key soon (they refetch on an unknown kid).
  @Header('Cache-Control', 'public, max-age=60')
  jwks() {
    return this.keys.jwks();
  }

  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  async metadata() {
    const issuer = this.config.issuer;
    return {
      issuer,
      token_endpoint: `${issuer}/oauth2/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/oauth2/introspect`,
      revocation_endpoint: `${issuer}/oauth2/revoke`,
      grant_types_supported: [CLIENT_CREDENTIALS_GRANT, TOKEN_EXCHANGE_GRANT],
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      introspection_endpoint_auth_methods_supported: ['bearer'],
      // draft-parecki-oauth-global-token-revocation-06 §6: the endpoint, and how a caller authenticates to it.
      global_token_revocation_endpoint: `${issuer}/global-token-revocation`,
      // A platform bearer token always; an IdP's own signed assertion when GTR_TRUSTED_IDPS names one.
      global_token_revocation_endpoint_auth_methods_supported: [
        'bearer',
        ...(trustedRevocationIdpsFrom(this.env).length > 0 ? [REVOCATION_ASSERTION_AUTH_METHOD] : []),
      ],
      access_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
      // RFC 9728 §4: the resources tokens can be bound to with `resource` (RFC 8707), their metadata at
      // /resource-servers/{id}/oauth-protected-resource.
      protected_resources: await this.resources.identifiers(),
    };
  }
}
