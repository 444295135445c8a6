import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

import { Public } from '@agentgov/auth';
import { SSF_DELIVERY_METHODS } from '@agentgov/revocation-connectors';

import { SsfSetSigner } from './ssf-set-signer';

/**
 * Transmitter Configuration Metadata (OpenID SSF 1.0 §7.1), at the issuer's /.well-known/ssf-configuration (§7.2).
 * Public, as §7.1.1 recommends for authorization_schemes. Every field the CAEP Interoperability Profile 1.0 §2.3
 * requires of a transmitter is here: spec_version 1_0, delivery_methods_supported, jwks_uri,
 * configuration_endpoint, verification_endpoint and authorization_schemes with OAuth 2.0 (urn:ietf:rfc:6749). No
 * add/remove subject endpoints: every stream carries every agent's containment (default_subjects ALL).
 */
@ApiTags('shared signals')
@Controller('.well-known')
@Public()
export class SsfConfigurationController {
  constructor(private readonly signer: SsfSetSigner) {}

  @Get('ssf-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  metadata() {
    return {
      spec_version: '1_0',
      issuer: this.signer.issuer,
      jwks_uri: this.signer.url('/.well-known/ssf-jwks.json'),
      delivery_methods_supported: [SSF_DELIVERY_METHODS.push, SSF_DELIVERY_METHODS.poll],
      configuration_endpoint: this.signer.url('/ssf/streams'),
      status_endpoint: this.signer.url('/ssf/status'),
      verification_endpoint: this.signer.url('/ssf/verify'),
      // Bearer access tokens (RFC 6750) from the OAuth authorization server the service trusts (AUTH_*), with the
      // ssf-receiver role; the same protects the poll endpoints (§7.1.1).
      authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }],
      default_subjects: 'ALL',
    };
  }
}
