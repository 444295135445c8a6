import { Body, Controller, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { ClockControlGuard } from './clock-control.guard';
import { MoveClockUseCase } from './move-clock.usecase';

const validateClock = createRequestValidator<{ at: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['at'],
  properties: { at: { type: 'string', format: 'date-time' } },
});

/** Tests and demonstrations move an instance's clock instead of waiting months. */
@ApiTags('clock')
@ApiBearerAuth()
@Controller()
export class ClockController {
  constructor(private readonly moveClock: MoveClockUseCase) {}

  /** With CLOCK_CONTROL (never in production): moves this instance's clock forward. */
  @Put('testing/clock')
  @Roles('admin')
  @UseGuards(ClockControlGuard)
  travel(@Body() body: unknown) {
    return this.moveClock.execute(new Date(validateClock(body).at));
  }
}
