import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';

import { SsfStreamsService } from './ssf-streams.service';

/**
 * The stream management API of containment's Shared Signals transmitter (OpenID SSF 1.0 §8.1): configuration
 * (§8.1.1), status (§8.1.2) and verification (§8.1.4) endpoints. Only `ssf-receiver` tokens, and each receiver sees
 * and changes only its own streams: another's is 404, like one that does not exist.
 */
@ApiTags('shared signals')
@ApiBearerAuth()
@Controller('ssf')
@Roles('ssf-receiver')
export class SsfStreamsController {
  constructor(private readonly streams: SsfStreamsService) {}

  /** §8.1.1.1 Creating a Stream. */
  @Post('streams')
  @HttpCode(201)
  create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.streams.create(principal.subject, body);
  }

  /** §8.1.1.2 Reading a Stream's Configuration: `?stream_id=`, or every stream of the receiver. */
  @Get('streams')
  read(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    return this.streams.read(principal.subject, query);
  }

  /** §8.1.1.3 Updating a Stream's Configuration. */
  @Patch('streams')
  update(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.streams.change(principal.subject, body, 'update');
  }

  /** §8.1.1.4 Replacing a Stream's Configuration. */
  @Put('streams')
  replace(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.streams.change(principal.subject, body, 'replace');
  }

  /** §8.1.1.5 Deleting a Stream. */
  @Delete('streams')
  @HttpCode(204)
  async delete(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.streams.delete(principal.subject, query);
  }

  /** §8.1.2.1 Reading a Stream's Status. */
  @Get('status')
  status(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal) {
    return this.streams.status(principal.subject, query);
  }

  /** §8.1.2.2 Updating a Stream's Status: enabled, paused (events held) or disabled (events dropped). */
  @Post('status')
  @HttpCode(200)
  changeStatus(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return this.streams.changeStatus(principal.subject, body);
  }

  /** §8.1.4.2 Triggering a Verification Event: 204, the event follows on the stream. */
  @Post('verify')
  @HttpCode(204)
  async verify(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.streams.verify(principal.subject, body);
  }
}
