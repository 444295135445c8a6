import { Body, Controller, Headers, HttpCode, Post, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';

import { Public, Roles } from '@agentgov/auth';

import { ClientAuthenticator } from './client-authenticator';
import { clientCredentialsFrom, formParam } from './client-credentials';
import { OAuthError } from './credentials.errors';
import { ExchangeTokenUseCase } from './exchange-token.usecase';
import { IntrospectionResponse, IntrospectTokenUseCase } from './introspect-token.usecase';
import { INTROSPECTION_ROLES } from './introspection-fast-path';
import { IssueAccessTokenUseCase, TokenResponse } from './issue-access-token.usecase';
import { OAuthErrorFilter } from './oauth-error.filter';
import { RevokeTokenUseCase } from './revoke-token.usecase';
import { CLIENT_CREDENTIALS_GRANT, resourceParameters, TOKEN_EXCHANGE_GRANT, tokenExchangeParameters } from './token-request-parameters';

const FORM = 'application/x-www-form-urlencoded';
const MAX_TOKEN_LENGTH = 8192;

interface HeaderSetter {
  setHeader(name: string, value: string): unknown;
}

function noStore(response: HeaderSetter): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Pragma', 'no-cache');
}

function requireForm(contentType: string | undefined): void {
  if (!contentType?.toLowerCase().startsWith(FORM)) throw new OAuthError('invalid_request', `The body must be ${FORM}.`);
}

function bodyOf(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function tokenParam(body: Record<string, unknown>): string {
  const token = formParam(body, 'token');
  if (!token) throw new OAuthError('invalid_request', 'The token parameter is required.');
  return token;
}

/** The embedded authorization server's OAuth endpoints; errors answer in RFC 6749 §5.2 form. */
@ApiTags('oauth')
@Controller('oauth2')
@UseFilters(OAuthErrorFilter)
export class OAuthController {
  constructor(
    private readonly clients: ClientAuthenticator,
    private readonly issue: IssueAccessTokenUseCase,
    private readonly exchange: ExchangeTokenUseCase,
    private readonly introspect: IntrospectTokenUseCase,
    private readonly revoke: RevokeTokenUseCase,
  ) {}

  @ApiOperation({
    summary:
      'Client credentials grant (RFC 6749 §4.4), and token exchange (RFC 8693) with subject_token, optional actor_token, audience (a downstream agent) ' +
      'and resource (RFC 8707); client_secret_basic or client_secret_post.',
  })
  @ApiConsumes(FORM)
  @Post('token')
  @Public()
  @HttpCode(200)
  async token(
    @Headers('content-type') contentType: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Body() rawBody: unknown,
    @Res({ passthrough: true }) response: HeaderSetter,
  ): Promise<TokenResponse> {
    noStore(response);
    requireForm(contentType);
    const body = bodyOf(rawBody);
    const grantType = formParam(body, 'grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'The grant_type parameter is required.');
    const credentials = clientCredentialsFrom(authorization, body);
    if (grantType === CLIENT_CREDENTIALS_GRANT) {
      const scope = formParam(body, 'scope');
      const resources = resourceParameters(body);
      return this.issue.execute(await this.clients.authenticate(credentials), scope, resources);
    }
    if (grantType === TOKEN_EXCHANGE_GRANT) {
      const request = tokenExchangeParameters(body);
      return this.exchange.execute(await this.clients.authenticate(credentials), request);
    }
    throw new OAuthError('unsupported_grant_type', `Only the ${CLIENT_CREDENTIALS_GRANT} and ${TOKEN_EXCHANGE_GRANT} grants are supported.`);
  }

  @ApiOperation({ summary: 'Token introspection (RFC 7662); form or JSON body with `token`.' })
  @ApiBearerAuth()
  @Post('introspect')
  @Roles(...INTROSPECTION_ROLES)
  @HttpCode(200)
  async introspection(@Body() rawBody: unknown, @Res({ passthrough: true }) response: HeaderSetter): Promise<IntrospectionResponse> {
    noStore(response);
    const token = tokenParam(bodyOf(rawBody));
    if (token.length > MAX_TOKEN_LENGTH) return { active: false };
    return this.introspect.execute(token);
  }

  @ApiOperation({ summary: 'Token revocation (RFC 7009) by the client the token was issued to.' })
  @ApiConsumes(FORM)
  @Post('revoke')
  @Public()
  @HttpCode(200)
  async revocation(
    @Headers('content-type') contentType: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Body() rawBody: unknown,
    @Res({ passthrough: true }) response: HeaderSetter,
  ): Promise<Record<string, never>> {
    noStore(response);
    requireForm(contentType);
    const body = bodyOf(rawBody);
    const token = tokenParam(body);
    formParam(body, 'token_type_hint');
    const client = await this.clients.authenticate(clientCredentialsFrom(authorization, body));
    await this.revoke.execute(client, token);
    return {};
  }
}
