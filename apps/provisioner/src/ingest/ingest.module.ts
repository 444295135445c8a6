import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';

import { OwnersModule } from '../owners/owners.module';
import { bodyReader } from './common/body-reader.middleware';
import { OktaEventHookController } from './okta/okta-event-hook.controller';
import { OktaEventHookService } from './okta/okta-event-hook.service';
import { SCIM_BODY_LIMIT_BYTES, ScimUsersController } from './scim/scim-users.controller';
import { ScimUsersService } from './scim/scim-users.service';
import { SCIM_CONTENT_TYPE } from './scim/scim.constants';
import { MAX_SET_BYTES } from './ssf/set-verifier';
import { SET_MEDIA_TYPE, SsfPushController } from './ssf/ssf-push.controller';
import { SsfPushService } from './ssf/ssf-push.service';

/**
 * HR/IdP ingest: SCIM 2.0 Users, Okta Event Hooks and Shared Signals push. Each adapter verifies its
 * sender and turns what it says into identity.lifecycle.v1 events; none changes an owner's status.
 */
@Module({
  imports: [OwnersModule],
  controllers: [OktaEventHookController, ScimUsersController, SsfPushController],
  providers: [OktaEventHookService, ScimUsersService, SsfPushService],
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
