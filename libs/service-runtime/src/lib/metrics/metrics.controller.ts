import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { Public } from '@agentgov/auth';
import { getActiveTelemetry, PROMETHEUS_CONTENT_TYPE } from '@agentgov/telemetry';

import { HttpResponse } from '../http-types';

export const METRICS_PATH = '/metrics';

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  async scrape(@Res() response: HttpResponse): Promise<void> {
    const telemetry = getActiveTelemetry();
    response.setHeader('Content-Type', PROMETHEUS_CONTENT_TYPE);
    if (!telemetry) {
      response.status(HttpStatus.SERVICE_UNAVAILABLE).send('# telemetry is not started\n');
      return;
    }
    response.status(HttpStatus.OK).send(await telemetry.collectPrometheusText());
  }
}
