import { Module } from '@nestjs/common';

import { ConnectorsModule } from '../connectors/connectors.module';
import { SsfTransmitterModule } from '../ssf-transmitter/ssf-transmitter.module';
import { ActionsRepository } from './actions.repository';
import { DeliveryQueue } from './delivery-queue';
import { UniversalLogout } from './universal-logout';

/**
 * Containment actions and their deliveries: starting a universal logout (the action and one delivery per
 * connector, in the deciding transaction) and the queue the dispatcher (LogoutModule) carries them out from.
 */
@Module({
  imports: [ConnectorsModule, SsfTransmitterModule],
  providers: [ActionsRepository, DeliveryQueue, UniversalLogout],
  exports: [ActionsRepository, DeliveryQueue, UniversalLogout],
})
export class ActionsModule {}
