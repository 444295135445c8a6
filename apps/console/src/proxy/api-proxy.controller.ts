import { All, Controller, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

import { ApiProxy, ProxiedRequest, ProxiedResponse } from './api-proxy';

@ApiTags('console')
@Controller('api')
export class ApiProxyController {
  constructor(private readonly proxy: ApiProxy) {}

  /** Forwards /api/<service>/<path> to the service, with the caller's bearer token; the services decide. */
  @All(':service/*path')
  forward(@Param('service') service: string, @Req() request: ProxiedRequest, @Res() response: ProxiedResponse): void {
    this.proxy.forward(service, request, response);
  }
}
