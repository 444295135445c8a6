import { CAEP_EVENT_TYPE_URIS, SSF_DELIVERY_METHODS, StreamStatus } from '@agentgov/revocation-connectors';

import { SsfTransmitterError, SsfTransmitterErrorCode } from './ssf-transmitter.errors';

/**
 * What containment's streams can carry: the CAEP events of a containment or deprovisioning, as the ssf connector
 * sends them (session-revoked, and credential-change with change_type revoke). A release sends nothing (earlier
 * tokens stay dead; the agent gets fresh credentials), so no RISC account-enabled either. Verification and
 * stream-updated events are sent on every stream whatever it requested (SSF 1.0 §8.1.4, §8.1.5).
 */
export const EVENTS_SUPPORTED: readonly string[] = [CAEP_EVENT_TYPE_URIS['session-revoked'], CAEP_EVENT_TYPE_URIS['credential-change']];

/** SSF 1.0 §8.1.1 `min_verification_interval`: a receiver asking more often than this gets 429. */
export const MIN_VERIFICATION_INTERVAL_SECONDS = 10;

export type DeliveryMethod = (typeof SSF_DELIVERY_METHODS)[keyof typeof SSF_DELIVERY_METHODS];

/** The Receiver-Supplied part of a stream's configuration (SSF 1.0 §8.1.1), as stored. */
export interface ReceiverSupplied {
  deliveryMethod: DeliveryMethod;
  /** Push: the receiver's endpoint. Poll: undefined (the transmitter supplies it). */
  endpointUrl?: string;
  authorizationHeader?: string;
  /** Undefined when the receiver requested nothing: every supported event is delivered. */
  eventsRequested?: string[];
  description?: string;
}

/** A stream as stored: what the receiver supplied and what containment decided. */
export interface StoredStream extends Omit<ReceiverSupplied, 'authorizationHeader'> {
  id: string;
  receiver: string;
  audience: string;
  eventsDelivered: string[];
  status: StreamStatus;
  statusReason?: string;
  hasAuthorizationHeader: boolean;
}

export interface TransmitterContext {
  issuer: string;
  /** The poll endpoint of a stream (SSF 1.0 §6.1.2: unique per stream). */
  pollUrl(streamId: string): string;
  /** https only (production). */
  httpsOnly: boolean;
}

const RECEIVER_SUPPLIED = ['events_requested', 'delivery', 'description'] as const;
const TRANSMITTER_SUPPLIED = ['stream_id', 'iss', 'aud', 'events_supported', 'events_delivered', 'min_verification_interval'] as const;

const invalid = (detail: string) => new SsfTransmitterError(SsfTransmitterErrorCode.InvalidStreamConfiguration, detail);

/**
 * SSF 1.0 §8.1.1 `events_delivered`: the supported events the receiver requested (unknown URIs are ignored, as the
 * Transmitter MUST); every supported event when it requested none.
 */
export function eventsDelivered(eventsRequested: readonly string[] | undefined): string[] {
  if (eventsRequested === undefined) return [...EVENTS_SUPPORTED];
  return EVENTS_SUPPORTED.filter((type) => eventsRequested.includes(type));
}

/**
 * The Receiver-Supplied properties of a create (§8.1.1.1) or replace (§8.1.1.4) request: a missing `delivery` means
 * poll (§8.1.1.1), a missing property of a replace is deleted. Throws a 400 naming what is wrong.
 */
export function receiverSuppliedOf(body: Record<string, unknown>, context: TransmitterContext, streamId?: string): ReceiverSupplied {
  const delivery = body['delivery'] === undefined ? { method: SSF_DELIVERY_METHODS.poll } : body['delivery'];
  return {
    ...deliveryOf(delivery, context, streamId),
    ...(body['events_requested'] === undefined ? {} : { eventsRequested: eventsRequestedOf(body['events_requested']) }),
    ...(body['description'] === undefined ? {} : { description: descriptionOf(body['description']) }),
  };
}

/** An update (§8.1.1.3, PATCH): the Receiver-Supplied properties present replace the stored ones, the others stay. */
export function patchedReceiverSupplied(
  current: StoredStream,
  currentAuthorizationHeader: string | undefined,
  body: Record<string, unknown>,
  context: TransmitterContext,
): ReceiverSupplied {
  const next: ReceiverSupplied = {
    deliveryMethod: current.deliveryMethod,
    ...(current.endpointUrl ? { endpointUrl: current.endpointUrl } : {}),
    ...(currentAuthorizationHeader ? { authorizationHeader: currentAuthorizationHeader } : {}),
    ...(current.eventsRequested ? { eventsRequested: current.eventsRequested } : {}),
    ...(current.description ? { description: current.description } : {}),
  };
  if (body['delivery'] !== undefined) {
    const delivery = deliveryOf(body['delivery'], context, current.id);
    delete next.endpointUrl;
    delete next.authorizationHeader;
    Object.assign(next, delivery);
  }
  if (body['events_requested'] !== undefined) next.eventsRequested = eventsRequestedOf(body['events_requested']);
  if (body['description'] !== undefined) next.description = descriptionOf(body['description']);
  return next;
}

/**
 * §8.1.1.3 and §8.1.1.4: Transmitter-Supplied properties may be sent back but must match (events_delivered as it was
 * before the update); anything that is neither kind is refused.
 */
export function checkTransmitterSupplied(body: Record<string, unknown>, current: StoredStream, context: TransmitterContext): void {
  for (const key of Object.keys(body)) {
    if (!(RECEIVER_SUPPLIED as readonly string[]).includes(key) && !(TRANSMITTER_SUPPLIED as readonly string[]).includes(key)) {
      throw invalid(`${key.slice(0, 100)} is not a stream configuration property`);
    }
  }
  const expected = renderStream(current, context);
  for (const key of TRANSMITTER_SUPPLIED) {
    if (key === 'stream_id' || body[key] === undefined) continue;
    if (!sameValue(body[key], expected[key])) throw invalid(`${key} is Transmitter-Supplied and does not match this stream's`);
  }
}

/** A stream's configuration as SSF 1.0 §8.1.1 writes it. The Authorization header is never sent back. */
export function renderStream(stream: StoredStream, context: TransmitterContext): Record<string, unknown> {
  return {
    stream_id: stream.id,
    iss: context.issuer,
    aud: stream.audience,
    delivery:
      stream.deliveryMethod === SSF_DELIVERY_METHODS.poll
        ? { method: SSF_DELIVERY_METHODS.poll, endpoint_url: context.pollUrl(stream.id) }
        : { method: SSF_DELIVERY_METHODS.push, endpoint_url: stream.endpointUrl },
    events_supported: [...EVENTS_SUPPORTED],
    ...(stream.eventsRequested ? { events_requested: stream.eventsRequested } : {}),
    events_delivered: stream.eventsDelivered,
    min_verification_interval: MIN_VERIFICATION_INTERVAL_SECONDS,
    ...(stream.description ? { description: stream.description } : {}),
  };
}

function deliveryOf(
  value: unknown,
  context: TransmitterContext,
  streamId: string | undefined,
): Pick<ReceiverSupplied, 'deliveryMethod' | 'endpointUrl' | 'authorizationHeader'> {
  if (!isObject(value)) throw invalid('delivery must be an object');
  for (const key of Object.keys(value)) {
    if (!['method', 'endpoint_url', 'authorization_header'].includes(key)) throw invalid(`delivery.${key.slice(0, 100)} is not a delivery property`);
  }
  const { method, endpoint_url: endpointUrl, authorization_header: header } = value;
  if (method === SSF_DELIVERY_METHODS.poll) {
    // §6.1.2: the poll endpoint is the transmitter's; sent back unchanged it is accepted.
    if (endpointUrl !== undefined && (streamId === undefined || endpointUrl !== context.pollUrl(streamId))) {
      throw invalid('delivery.endpoint_url of a poll stream is supplied by the transmitter');
    }
    if (header !== undefined) throw invalid('delivery.authorization_header applies to push delivery only');
    return { deliveryMethod: SSF_DELIVERY_METHODS.poll };
  }
  if (method !== SSF_DELIVERY_METHODS.push) {
    throw new SsfTransmitterError(
      SsfTransmitterErrorCode.UnsupportedDeliveryMethod,
      `delivery.method must be ${SSF_DELIVERY_METHODS.push} (push) or ${SSF_DELIVERY_METHODS.poll} (poll)`,
    );
  }
  if (typeof endpointUrl !== 'string' || endpointUrl.length > 2048) throw invalid('delivery.endpoint_url (the receiver’s push endpoint) is required');
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    throw invalid('delivery.endpoint_url must be an absolute URL');
  }
  const allowed = context.httpsOnly ? ['https:'] : ['https:', 'http:'];
  if (!allowed.includes(url.protocol)) throw invalid(`delivery.endpoint_url must use ${context.httpsOnly ? 'https' : 'http or https'}`);
  if (url.username || url.password || url.hash) throw invalid('delivery.endpoint_url must carry no credentials or fragment');
  if (header !== undefined && (typeof header !== 'string' || !/^[\x20-\x7E]{1,4096}$/.test(header))) {
    throw invalid('delivery.authorization_header must be a printable header value of at most 4096 characters');
  }
  return { deliveryMethod: SSF_DELIVERY_METHODS.push, endpointUrl, ...(header ? { authorizationHeader: header as string } : {}) };
}

function eventsRequestedOf(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > 100 || !value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 512)) {
    throw invalid('events_requested must be an array of at most 100 event type URIs');
  }
  return [...new Set(value as string[])];
}

function descriptionOf(value: unknown): string {
  // §8.1.1: "The transmitter MAY truncate the string beyond an allowed max length."
  if (typeof value !== 'string') throw invalid('description must be a string');
  return value.slice(0, 1000);
}

/** Order-insensitive; a string equals an array of that one string (`aud` may be either, §8.1.1). */
function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => (typeof v === 'string' ? [v] : Array.isArray(v) ? [...v].map(String).sort() : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
