import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';

import { PollResponse, SsfPollService } from './ssf-poll.service';

/**
 * Poll-based SET delivery (RFC 8936) of a poll stream: its `delivery.endpoint_url` (SSF 1.0 §6.1.2, one per
 * stream). Protected like stream management (SSF 1.0 §7.1.1): an `ssf-receiver` bearer token, its own streams only.
 */
@ApiTags('shared signals')
@ApiBearerAuth()
@Controller('ssf/poll')
@Roles('ssf-receiver')
export class SsfPollController {
  constructor(private readonly polls: SsfPollService) {}

  @Post(':streamId')
  @HttpCode(200)
  poll(
    @Param('streamId') streamId: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() request: { once(event: 'close', listener: () => void): void },
  ): Promise<PollResponse> {
    let closed = false;
    request.once('close', () => (closed = true));
    return this.polls.poll(principal.subject, String(streamId).slice(0, 200), body, () => closed);
  }
}
