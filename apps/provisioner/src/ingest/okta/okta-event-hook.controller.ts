import { Body, Controller, Get, Headers, HttpCode, Inject, Logger, Post, Req, UseInterceptors } from '@nestjs/common';

import { Public } from '@agentgov/auth';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ProvisionerEnv } from '../../config/provisioner.env';
import { HttpRequest } from '../common/http';
import { IngestSpanInterceptor } from '../common/ingest-span.interceptor';
import { IngestError } from '../common/ingest.errors';
import { mediaTypeOf } from '../common/media-type';
import { secretMatches } from '../common/shared-secret';
import { OktaDeliveryOutcome, OktaEventHookService } from './okta-event-hook.service';
import { OktaDeliveryError } from './okta-event-mapping';

/**
 * Okta Event Hooks. Not behind the bearer guard: Okta proves itself with the shared secret it sends in the
 * configured header ("authentication field"), on the one-time verification as on every delivery.
 */
@Controller('hooks/okta')
@Public()
@UseInterceptors(new IngestSpanInterceptor('okta'))
export class OktaEventHookController {
  private readonly logger = new Logger('OktaEventHook');

  constructor(
    private readonly hooks: OktaEventHookService,
    @Inject(SERVICE_ENV) private readonly env: ProvisionerEnv,
  ) {}

  @Get()
  verify(@Headers('x-okta-verification-challenge') challenge: string | undefined, @Req() request: HttpRequest): { verification: string } {
    this.authenticate(request);
    if (!challenge || challenge.length > 1000) throw IngestError.invalid('X-Okta-Verification-Challenge header is required.');
    return { verification: challenge };
  }

  @Post()
  @HttpCode(200)
  async deliver(@Body() body: unknown, @Req() request: HttpRequest): Promise<OktaDeliveryOutcome> {
    this.authenticate(request);
    if (mediaTypeOf(request) !== 'application/json') throw IngestError.unsupportedMediaType('application/json');
    try {
      return await this.hooks.handle(body);
    } catch (error) {
      if (error instanceof OktaDeliveryError) throw IngestError.invalid(error.message);
      throw error;
    }
  }

  private authenticate(request: HttpRequest): void {
    const secret = this.env.OKTA_EVENT_HOOK_SECRET;
    if (!secret) {
      this.logger.warn('Okta Event Hook request refused: OKTA_EVENT_HOOK_SECRET is not set');
      throw IngestError.notConfigured('The Okta Event Hook');
    }
    const header = request.headers[this.env.OKTA_EVENT_HOOK_HEADER.toLowerCase()];
    if (!secretMatches(typeof header === 'string' ? header : undefined, secret)) {
      throw IngestError.notAuthenticated(`The ${this.env.OKTA_EVENT_HOOK_HEADER} header does not carry the Event Hook secret.`);
    }
  }
}
