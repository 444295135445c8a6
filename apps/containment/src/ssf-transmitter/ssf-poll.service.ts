import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { SSF_DELIVERY_METHODS } from '@agentgov/revocation-connectors';
import { createRequestValidator } from '@agentgov/service-runtime';

import { SsfSetSigner } from './ssf-set-signer';
import { SsfStreamsRepository } from './ssf-streams.repository';
import { SsfStreamsService } from './ssf-streams.service';
import { SsfTransmitterError, SsfTransmitterErrorCode } from './ssf-transmitter.errors';

/** SETs returned by one poll when the receiver does not say (RFC 8936 §2.4: maxEvents is the receiver's to set). */
export const DEFAULT_MAX_EVENTS = 100;
export const MAX_MAX_EVENTS = 1000;
/** How long a poll without returnImmediately waits for a SET before answering with none (RFC 8936 §2.4: long polling). */
export const LONG_POLL_MS = 15_000;
const LONG_POLL_CHECK_MS = 250;

export interface PollRequest {
  maxEvents?: number;
  returnImmediately?: boolean;
  ack?: string[];
  setErrs?: Record<string, { err: string; description?: string }>;
}

export interface PollResponse {
  sets: Record<string, string>;
  moreAvailable: boolean;
}

const JTI = { type: 'string', minLength: 1, maxLength: 256 };

// RFC 8936 §2.4: the poll request's members.
const validatePoll = createRequestValidator<PollRequest>({
  type: 'object',
  additionalProperties: false,
  properties: {
    maxEvents: { type: 'integer', minimum: 0, maximum: MAX_MAX_EVENTS },
    returnImmediately: { type: 'boolean' },
    ack: { type: 'array', maxItems: MAX_MAX_EVENTS, items: JTI },
    setErrs: {
      type: 'object',
      maxProperties: MAX_MAX_EVENTS,
      propertyNames: { maxLength: 256 },
      additionalProperties: {
        type: 'object',
        required: ['err'],
        additionalProperties: false,
        properties: { err: { type: 'string', minLength: 1, maxLength: 64 }, description: { type: 'string', maxLength: 1000 } },
      },
    },
  },
});

/**
 * The poll endpoint of containment's poll streams (RFC 8936, SSF 1.0 §6.1.2): a receiver acknowledges what it
 * processed (`ack`, §2.4.2), reports what it refused (`setErrs`, §2.4.4) and gets the oldest SETs not acknowledged
 * yet, at most `maxEvents` (0: acknowledge only), with `moreAvailable` when more wait. SETs stay until acknowledged
 * or refused: one returned and not acknowledged comes again in the next answer, with the same `jti`. A paused stream
 * answers with no SETs (it holds them); without `returnImmediately` the answer waits up to 15 s for a SET.
 */
@Injectable()
export class SsfPollService implements BeforeApplicationShutdown {
  /** A long poll in progress answers at once when the service stops, instead of holding up the shutdown. */
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly streams: SsfStreamsRepository,
    private readonly management: SsfStreamsService,
    private readonly signer: SsfSetSigner,
  ) {}

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  async poll(receiver: string, streamId: string, body: unknown, closed: () => boolean): Promise<PollResponse> {
    const request = validatePoll(body ?? {});
    const stream = await this.dataSource.transaction(async (tx) => {
      const owned = await this.management.owned(tx, streamId, receiver);
      if (owned.deliveryMethod !== SSF_DELIVERY_METHODS.poll) {
        throw new SsfTransmitterError(SsfTransmitterErrorCode.InvalidStreamConfiguration, 'this stream delivers by push (RFC 8935), not by poll');
      }
      await this.streams.acknowledge(tx, owned.id, request.ack ?? []);
      await this.streams.refused(
        tx,
        owned.id,
        Object.entries(request.setErrs ?? {}).map(([jti, e]) => ({
          jti,
          reason: `refused by the receiver: ${e.err}${e.description ? `: ${e.description}` : ''}`,
        })),
      );
      return owned;
    });
    const max = request.maxEvents ?? DEFAULT_MAX_EVENTS;
    if (max === 0 || stream.status !== 'enabled') return { sets: {}, moreAvailable: false };
    const deadline = Date.now() + (request.returnImmediately ? 0 : LONG_POLL_MS);
    for (;;) {
      const open = await this.streams.openEvents(this.dataSource.manager, stream.id, max + 1);
      if (open.length > 0 || Date.now() >= deadline || closed() || this.stopping) {
        const now = new Date();
        const sets: Record<string, string> = {};
        for (const { jti, event } of open.slice(0, max)) sets[jti] = await this.signer.sign(stream, jti, event, now);
        return { sets, moreAvailable: open.length > max };
      }
      await new Promise((resolve) => setTimeout(resolve, LONG_POLL_CHECK_MS));
    }
  }
}
