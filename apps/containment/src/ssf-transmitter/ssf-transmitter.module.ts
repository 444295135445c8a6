import { Module } from '@nestjs/common';

import { keyEncryptionKeyFrom } from '@agentgov/sealed-secrets';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ContainmentEnv } from '../config/containment.env';
import { ConnectorsModule } from '../connectors/connectors.module';
import { SsfConfigurationController } from './ssf-configuration.controller';
import { SsfPollController } from './ssf-poll.controller';
import { SsfPollService } from './ssf-poll.service';
import { SsfPushDispatcher } from './ssf-push-dispatcher';
import { SsfSetSigner } from './ssf-set-signer';
import { SsfStreamFanOut } from './ssf-stream-fan-out';
import { SsfStreamsController } from './ssf-streams.controller';
import { SsfStreamsRepository } from './ssf-streams.repository';
import { SSF_STREAM_KEK, SsfStreamsService } from './ssf-streams.service';

/**
 * Containment as a managed Shared Signals transmitter (OpenID SSF 1.0): its metadata, the stream management API for
 * receivers, push delivery (RFC 8935) and the poll endpoint (RFC 8936) of every stream, and the fan-out that puts
 * each containment's SETs on every stream (used by universal logout, in the deciding transaction).
 */
@Module({
  imports: [ConnectorsModule],
  controllers: [SsfConfigurationController, SsfStreamsController, SsfPollController],
  providers: [
    SsfPollService,
    SsfPushDispatcher,
    SsfSetSigner,
    SsfStreamFanOut,
    SsfStreamsRepository,
    SsfStreamsService,
    {
      // Receivers' push Authorization headers are sealed under the key that seals external tokens (bound to the stream).
      provide: SSF_STREAM_KEK,
      inject: [SERVICE_ENV],
      useFactory: (env: ContainmentEnv) =>
        keyEncryptionKeyFrom({ variable: 'EXTERNAL_TOKEN_ENCRYPTION_KEY', base64: env.EXTERNAL_TOKEN_ENCRYPTION_KEY, developmentPurpose: 'ssf-stream' }),
    },
  ],
  exports: [SsfStreamFanOut],
})
export class SsfTransmitterModule {}
