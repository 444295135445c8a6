import { ArgumentsHost, Body, Catch, Controller, ExceptionFilter, HttpCode, Post, Req, UseFilters, UseInterceptors } from '@nestjs/common';

import { Public } from '@agentgov/auth';

import { IngestRequest } from '../common/body-reader.middleware';
import { HttpResponse } from '../common/http';
import { IngestSpanInterceptor } from '../common/ingest-span.interceptor';
import { mediaTypeOf } from '../common/media-type';
import { MAX_SET_BYTES } from './set-verifier';
import { SsfPushService } from './ssf-push.service';
import { SsfError } from './ssf.errors';

export const SET_MEDIA_TYPE = 'application/secevent+jwt';

/** RFC 8935 §2.3 error responses: {"err", "description"} as JSON. */
@Catch(SsfError)
export class SsfErrorFilter implements ExceptionFilter {
  catch(error: SsfError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    response
      .status(error.status)
      .type('application/json')
      .send(JSON.stringify({ err: error.err, description: error.description }));
  }
}

/**
 * Shared Signals push delivery (RFC 8935). Not behind the bearer guard: the SET's signature by the
 * configured transmitter is the authentication. 202 Accepted once the SET is verified and recorded,
 * including when it concerns nobody we know.
 */
@Controller('ssf/events')
@Public()
@UseFilters(SsfErrorFilter)
@UseInterceptors(new IngestSpanInterceptor('ssf'))
export class SsfPushController {
  constructor(private readonly ssf: SsfPushService) {}

  @Post()
  @HttpCode(202)
  async push(@Body() body: unknown, @Req() request: IngestRequest): Promise<void> {
    if (mediaTypeOf(request) !== SET_MEDIA_TYPE) throw new SsfError('invalid_request', `Content-Type must be ${SET_MEDIA_TYPE}`);
    if (request.ingestBodyProblem === 'too-large') throw new SsfError('invalid_request', `the SET is larger than ${MAX_SET_BYTES} bytes`);
    if (typeof body !== 'string' || body.trim() === '') throw new SsfError('invalid_request', 'the body must be a SET');
    await this.ssf.handle(body);
  }
}
