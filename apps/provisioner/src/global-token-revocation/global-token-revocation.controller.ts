import { Body, Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';

import { Public } from '@agentgov/auth';

import { rawBodyOf } from './global-token-revocation-body';
import { GlobalTokenRevocationError, GlobalTokenRevocationErrorCode } from './global-token-revocation.errors';
import { GlobalTokenRevocationUseCase } from './global-token-revocation.usecase';
import { RevocationCaller } from './revocation-caller';
import { CurrentRevocationCaller, RevocationCallerGuard } from './revocation-caller.guard';
import { parseGlobalTokenRevocationRequest } from './subject-identifier';

/**
 * The Global Token Revocation endpoint (draft-parecki-oauth-global-token-revocation-06 §3), advertised in the
 * authorization server metadata as `global_token_revocation_endpoint` (§6). Authentication (§3.2 "MUST be
 * authenticated", RevocationCallerGuard): a platform bearer token with the `global-token-revocation` role, which
 * grants nothing else (§7.1: "a single scope that enables it to perform only the revocation request"), or `admin`;
 * or a trusted IdP's own signed assertion (GTR_TRUSTED_IDPS, as Okta Universal Logout sends), which may name only
 * the owners linked to that IdP (§6.1: a credential scoped to its tenant's users). Answers (§3.4): 204 once every
 * token is inactive; 400 for a malformed body
 * or an unsupported identifier format; 401/403 from the bearer guard; 404 when no agent or owner is known by the
 * identifier (§3.4.2 "404 User Not Found": the draft has the caller told, and §7.2 accepts the enumeration risk for
 * an authenticated endpoint); 422 when an email names several owners. Errors are problem details (§3.4 leaves the
 * body open) that never quote the request.
 */
@ApiTags('credentials')
@ApiBearerAuth()
@Controller('global-token-revocation')
export class GlobalTokenRevocationController {
  constructor(private readonly revoke: GlobalTokenRevocationUseCase) {}

  @ApiOperation({
    summary: 'Global Token Revocation (draft-parecki-oauth-global-token-revocation-06): every token of the agent or owner named by sub_id ends.',
  })
  @ApiConsumes('application/json')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['sub_id'],
      properties: {
        sub_id: {
          type: 'object',
          description: 'RFC 9493 subject identifier: {format: opaque, id} (agent or owner id), {format: iss_sub, iss, sub} or {format: email, email}.',
        },
      },
    },
  })
  @ApiResponse({ status: 204, description: 'Every token of the subject is inactive.' })
  @ApiResponse({ status: 404, description: 'No agent or owner is known by the identifier.' })
  @Post()
  // The platform's guard knows platform tokens only; this route's guard also knows the trusted IdPs' assertions.
  @Public()
  @UseGuards(RevocationCallerGuard)
  @HttpCode(204)
  async globalTokenRevocation(
    @Req() request: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Body() parsedBody: unknown,
    @CurrentRevocationCaller() caller: RevocationCaller,
  ): Promise<void> {
    if ((contentType ?? '').split(';')[0].trim().toLowerCase() !== 'application/json') {
      throw new GlobalTokenRevocationError(GlobalTokenRevocationErrorCode.InvalidRequest, 'The body must be application/json (§3.1).');
    }
    const subject = parseGlobalTokenRevocationRequest(bodyOf(request, parsedBody));
    await this.revoke.execute(subject, caller);
  }
}

/** The JSON body: from the text read before Express when there is one (see GlobalTokenRevocationBodyReader). */
function bodyOf(request: unknown, parsedBody: unknown): unknown {
  const raw = rawBodyOf(request);
  if (!raw) return parsedBody;
  if ('problem' in raw) {
    throw raw.problem === 'too-large'
      ? new GlobalTokenRevocationError(GlobalTokenRevocationErrorCode.BodyTooLarge, 'The body is larger than any subject identifier needs.')
      : new GlobalTokenRevocationError(GlobalTokenRevocationErrorCode.InvalidRequest, 'The body could not be read.');
  }
  try {
    return JSON.parse(raw.text);
  } catch {
    throw new GlobalTokenRevocationError(GlobalTokenRevocationErrorCode.InvalidRequest, 'The body is not valid JSON.');
  }
}
