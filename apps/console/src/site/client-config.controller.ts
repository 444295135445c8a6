import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

import { parseRoleMap } from '@agentgov/auth';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ConsoleEnv } from '../config/console.env';
import { UPSTREAM_SERVICES } from '../proxy/upstreams';

/** What the single-page app needs to sign people in and call the services: nothing secret (the client is public). */
@ApiTags('console')
@Controller()
export class ClientConfigController {
  private readonly config: Record<string, unknown>;

  constructor(@Inject(SERVICE_ENV) env: ConsoleEnv) {
    this.config = {
      issuer: env.AUTH_OIDC_ISSUER,
      clientId: env.CONSOLE_OIDC_CLIENT_ID,
      scopes: env.CONSOLE_OIDC_SCOPES,
      rolesClaim: env.AUTH_OIDC_ROLES_CLAIM,
      roleMap: parseRoleMap(env.AUTH_OIDC_ROLE_MAP, 'AUTH_OIDC_ROLE_MAP'),
      subjectClaim: env.AUTH_OIDC_SUBJECT_CLAIM,
      services: UPSTREAM_SERVICES,
    };
  }

  /** The issuer, client id and scopes, and how the token's claims map to roles. Never cached: a redeploy may change it. */
  @Get('config.json')
  @Header('Cache-Control', 'no-store')
  clientConfig(): Record<string, unknown> {
    return this.config;
  }
}
