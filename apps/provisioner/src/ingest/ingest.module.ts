import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';

import { OwnersModule } from '../owners/owners.module';
import { bodyReader } from './common/body-reader.middleware';
import { OktaEventHookController } from './okta/okta-event-hook.controller';
import { OktaEventHookService } from './okta/okta-event-hook.service';
import { SCIM_BODY_LIMIT_BYTES, SCIM_CONTENT_TYPE } from './scim/scim.constants';
import { ScimModule } from './scim/scim.module';
import { MAX_SET_BYTES } from './ssf/set-verifier';
import { SsfPollReceiver } from './ssf/ssf-poll-receiver';
import { SET_MEDIA_TYPE, SsfPushController } from './ssf/ssf-push.controller';
import { SsfPushService } from './ssf/ssf-push.service';

/**
 * HR/IdP ingest: SCIM 2.0 Users, Okta Event Hooks and Shared Signals (push, and poll when SSF_POLL_URL is set). Each
 * adapter verifies its sender and turns what it says into identity.lifecycle.v1 events; none changes an owner's status.
 */
@Module({
  imports: [OwnersModule, ScimModule],
  controllers: [OktaEventHookController, SsfPushController],
  providers: [OktaEventHookService, SsfPushService, SsfPollReceiver],
})
export class IngestModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(bodyReader({ mediaTypes: [SCIM_CONTENT_TYPE], limitBytes: SCIM_BODY_LIMIT_BYTES, as: 'json' }))
      .forRoutes({ path: 'scim/v2/*path', method: RequestMethod.ALL })
      .apply(bodyReader({ mediaTypes: [SET_MEDIA_TYPE], limitBytes: MAX_SET_BYTES, as: 'text' }))
      .forRoutes({ path: 'ssf/events', method: RequestMethod.POST });
  }
}
