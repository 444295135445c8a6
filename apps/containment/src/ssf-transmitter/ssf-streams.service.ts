import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { SSF_DELIVERY_METHODS, StreamStatus } from '@agentgov/revocation-connectors';
import { decryptWithKek, encryptWithKek, KeyEncryptionKey } from '@agentgov/sealed-secrets';
import { createRequestValidator, SERVICE_ENV } from '@agentgov/service-runtime';

import { ContainmentEnv } from '../config/containment.env';
import { SsfSetSigner } from './ssf-set-signer';
import { NewStream, SsfStreamsRepository, StreamRecord } from './ssf-streams.repository';
import { SsfTransmitterError, SsfTransmitterErrorCode } from './ssf-transmitter.errors';
import {
  checkTransmitterSupplied,
  eventsDelivered,
  MIN_VERIFICATION_INTERVAL_SECONDS,
  patchedReceiverSupplied,
  ReceiverSupplied,
  receiverSuppliedOf,
  renderStream,
  TransmitterContext,
} from './stream-config';

export const SSF_STREAM_KEK = Symbol('SSF_STREAM_KEK');

/** Streams one receiver may have (SSF 1.0 §8.1.1.1 allows several; a bound keeps one credential from flooding). */
export const MAX_STREAMS_PER_RECEIVER = 20;

const STRING_ARRAY = { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 512 } };
const STREAM_ID = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._~-]+$' };

// §8.1.1.1: a create request carries Receiver-Supplied properties only; anything else is refused, so a request that
// is not one creates nothing.
const validateCreate = createRequestValidator<Record<string, unknown>>({
  type: 'object',
  additionalProperties: false,
  properties: { events_requested: STRING_ARRAY, delivery: { type: 'object' }, description: { type: 'string' } },
});
const validateChange = createRequestValidator<Record<string, unknown> & { stream_id: string }>({
  type: 'object',
  required: ['stream_id'],
  properties: { stream_id: STREAM_ID },
});
const validateStreamQuery = createRequestValidator<{ stream_id?: string }>(
  { type: 'object', additionalProperties: false, properties: { stream_id: STREAM_ID } },
  'query',
);
const validateRequiredStreamQuery = createRequestValidator<{ stream_id: string }>(
  { type: 'object', additionalProperties: false, required: ['stream_id'], properties: { stream_id: STREAM_ID } },
  'query',
);
const validateStatusChange = createRequestValidator<{ stream_id: string; status: StreamStatus; reason?: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['stream_id', 'status'],
  properties: { stream_id: STREAM_ID, status: { type: 'string', enum: ['enabled', 'paused', 'disabled'] }, reason: { type: 'string', maxLength: 1000 } },
});
const validateVerification = createRequestValidator<{ stream_id: string; state?: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['stream_id'],
  properties: { stream_id: STREAM_ID, state: { type: 'string', maxLength: 1000 } },
});

/**
 * Stream management of containment's Shared Signals transmitter (OpenID SSF 1.0 §8.1): create, read, update,
 * replace and delete streams, read and change their status, and ask for a verification event. Every operation is the
 * receiver's own (the bearer token's `sub`): another receiver's stream does not exist for it (404). Changes are
 * audited under the receiver.
 */
@Injectable()
export class SsfStreamsService {
  readonly context: TransmitterContext;

  constructor(
    private readonly dataSource: DataSource,
    private readonly streams: SsfStreamsRepository,
    private readonly signer: SsfSetSigner,
    private readonly audit: AuditChain,
    @Inject(SSF_STREAM_KEK) private readonly kek: KeyEncryptionKey,
    @Inject(SERVICE_ENV) private readonly env: ContainmentEnv,
  ) {
    this.context = {
      issuer: signer.issuer,
      pollUrl: (streamId) => signer.url(`/ssf/poll/${encodeURIComponent(streamId)}`),
      httpsOnly: env.NODE_ENV === 'production',
    };
  }

  /** §8.1.1.1: 201 with the configuration; `aud` is the receiver itself. */
  async create(receiver: string, body: unknown): Promise<Record<string, unknown>> {
    this.assertAvailable();
    const supplied = receiverSuppliedOf(validateCreate(body), this.context);
    const id = randomUUID();
    return this.dataSource.transaction(async (tx) => {
      // Counted under a lock on the receiver, so concurrent creates cannot pass the bound together.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('ssf-streams'), hashtext($1))`, [receiver]);
      if ((await this.streams.countOf(receiver)) >= MAX_STREAMS_PER_RECEIVER) {
        throw new SsfTransmitterError(SsfTransmitterErrorCode.TooManyStreams, `a receiver may have at most ${MAX_STREAMS_PER_RECEIVER} streams`);
      }
      const stream = await this.streams.insert(tx, this.stored(id, receiver, receiver, supplied));
      await this.audited(tx, receiver, 'ssf.stream-created', stream);
      return renderStream(stream, this.context);
    });
  }

  /** §8.1.1.2: one stream, or every stream of the receiver (an empty list when it has none). */
  async read(receiver: string, query: unknown): Promise<Record<string, unknown> | Record<string, unknown>[]> {
    const { stream_id: streamId } = validateStreamQuery(query);
    if (streamId === undefined) return (await this.streams.list(receiver)).map((s) => renderStream(s, this.context));
    return renderStream(await this.owned(this.dataSource.manager, streamId, receiver), this.context);
  }

  /** §8.1.1.3 (PATCH: what is present changes) and §8.1.1.4 (PUT: what is missing is deleted). */
  async change(receiver: string, body: unknown, mode: 'update' | 'replace'): Promise<Record<string, unknown>> {
    const request = validateChange(body);
    return this.dataSource.transaction(async (tx) => {
      const current = await this.owned(tx, request.stream_id, receiver, true);
      checkTransmitterSupplied(request, current, this.context);
      const supplied =
        mode === 'update'
          ? patchedReceiverSupplied(current, this.unsealed(current), request, this.context)
          : receiverSuppliedOf(request, this.context, current.id);
      const stream = await this.streams.replaceConfiguration(tx, this.stored(current.id, receiver, current.audience, supplied));
      await this.audited(tx, receiver, `ssf.stream-${mode === 'update' ? 'updated' : 'replaced'}`, stream);
      // Events waiting for the stream go out the way it now says.
      await this.streams.notify(tx);
      return renderStream(stream, this.context);
    });
  }

  /** §8.1.1.5: 204; the stream's undelivered events go with it. */
  async delete(receiver: string, query: unknown): Promise<void> {
    const { stream_id: streamId } = validateRequiredStreamQuery(query);
    await this.dataSource.transaction(async (tx) => {
      const stream = await this.owned(tx, streamId, receiver, true);
      await this.streams.delete(tx, stream.id, receiver);
      await this.audited(tx, receiver, 'ssf.stream-deleted', stream);
    });
  }

  /** §8.1.2.1. */
  async status(receiver: string, query: unknown): Promise<Record<string, unknown>> {
    const { stream_id: streamId } = validateRequiredStreamQuery(query);
    const stream = await this.owned(this.dataSource.manager, streamId, receiver);
    return { stream_id: stream.id, status: stream.status, ...(stream.statusReason ? { reason: stream.statusReason } : {}) };
  }

  /**
   * §8.1.2.2. Paused: events are held (queued, not sent) and go out in order once enabled again. Disabled: nothing is
   * sent or held, and what was held is dropped. No stream-updated event: that is for changes the transmitter makes
   * on its own (§8.1.5), not for the receiver's own request.
   */
  async changeStatus(receiver: string, body: unknown): Promise<Record<string, unknown>> {
    const { stream_id: streamId, status, reason } = validateStatusChange(body);
    return this.dataSource.transaction(async (tx) => {
      const stream = await this.owned(tx, streamId, receiver, true);
      if (status === 'disabled') await this.streams.dropOpenEvents(tx, stream.id);
      await this.streams.setStatus(tx, stream.id, status, reason);
      await this.audit.append(tx, [
        {
          at: new Date(),
          actorType: 'api',
          actor: receiver,
          action: 'ssf.stream-status-changed',
          subjectType: 'ssf-stream',
          subjectId: stream.id,
          ...(reason ? { reason } : {}),
          details: { from: stream.status, to: status },
        },
      ]);
      if (status === 'enabled') await this.streams.notify(tx);
      return { stream_id: stream.id, status, ...(reason ? { reason } : {}) };
    });
  }

  /**
   * §8.1.4.2: queues a verification event carrying the receiver's `state` on the stream, delivered like any other
   * (held while paused). 429 sooner than min_verification_interval after the last request. A disabled stream sends
   * nothing (§8.1.2), so the request is accepted and nothing is queued.
   */
  async verify(receiver: string, body: unknown): Promise<void> {
    this.assertAvailable();
    const { stream_id: streamId, state } = validateVerification(body);
    await this.dataSource.transaction(async (tx) => {
      const stream = await this.owned(tx, streamId, receiver, true);
      if (!(await this.streams.markVerificationRequested(tx, stream.id, MIN_VERIFICATION_INTERVAL_SECONDS))) {
        throw new SsfTransmitterError(
          SsfTransmitterErrorCode.VerificationTooSoon,
          `ask at most once every ${MIN_VERIFICATION_INTERVAL_SECONDS} seconds (min_verification_interval)`,
        );
      }
      if (stream.status === 'disabled') return;
      await this.streams.enqueue(tx, [{ streamId: stream.id, jti: randomUUID(), event: { kind: 'verification', ...(state === undefined ? {} : { state }) } }]);
    });
  }

  async owned(manager: EntityManager, streamId: string, receiver: string, forUpdate = false): Promise<StreamRecord> {
    const stream = await this.streams.find(manager, streamId, receiver, forUpdate);
    if (!stream) throw new SsfTransmitterError(SsfTransmitterErrorCode.StreamNotFound, `no stream ${streamId.slice(0, 128)} for this receiver`);
    return stream;
  }

  /** The receiver's push Authorization header, unsealed (it is bound to its stream's id). */
  unsealed(stream: { id: string; authorizationHeaderSealed?: string | null }): string | undefined {
    return stream.authorizationHeaderSealed ? decryptWithKek(this.kek, stream.authorizationHeaderSealed, `ssf-stream:${stream.id}`) : undefined;
  }

  private stored(id: string, receiver: string, audience: string, supplied: ReceiverSupplied): NewStream {
    if (supplied.authorizationHeader && this.env.NODE_ENV === 'production' && !this.env.EXTERNAL_TOKEN_ENCRYPTION_KEY) {
      throw new SsfTransmitterError(
        SsfTransmitterErrorCode.TransmitterUnavailable,
        'EXTERNAL_TOKEN_ENCRYPTION_KEY is required in production to keep a receiver’s authorization header',
      );
    }
    return {
      id,
      receiver,
      audience,
      deliveryMethod: supplied.deliveryMethod,
      ...(supplied.deliveryMethod === SSF_DELIVERY_METHODS.push ? { endpointUrl: supplied.endpointUrl } : {}),
      ...(supplied.authorizationHeader ? { authorizationHeaderSealed: encryptWithKek(this.kek, supplied.authorizationHeader, `ssf-stream:${id}`) } : {}),
      ...(supplied.eventsRequested ? { eventsRequested: supplied.eventsRequested } : {}),
      eventsDelivered: eventsDelivered(supplied.eventsRequested),
      ...(supplied.description ? { description: supplied.description } : {}),
    };
  }

  private async audited(tx: EntityManager, receiver: string, action: string, stream: StreamRecord): Promise<void> {
    await this.audit.append(tx, [
      {
        at: new Date(),
        actorType: 'api',
        actor: receiver,
        action,
        subjectType: 'ssf-stream',
        subjectId: stream.id,
        details: {
          deliveryMethod: stream.deliveryMethod,
          ...(stream.endpointUrl ? { endpointUrl: stream.endpointUrl } : {}),
          eventsDelivered: stream.eventsDelivered,
          status: stream.status,
        },
      },
    ]);
  }

  private assertAvailable(): void {
    if (!this.signer.available) {
      throw new SsfTransmitterError(SsfTransmitterErrorCode.TransmitterUnavailable, 'SSF_SIGNING_KEY_FILE is not set: this transmitter cannot sign SETs');
    }
  }
}
