import { DomainError } from '@agentgov/service-runtime';

/** Why a Shared Signals stream management or poll request was refused (SSF 1.0 §8.1, RFC 8936); stable codes. */
export enum SsfTransmitterErrorCode {
  StreamNotFound = 'STREAM_NOT_FOUND',
  InvalidStreamConfiguration = 'INVALID_STREAM_CONFIGURATION',
  UnsupportedDeliveryMethod = 'UNSUPPORTED_DELIVERY_METHOD',
  TooManyStreams = 'TOO_MANY_STREAMS',
  VerificationTooSoon = 'VERIFICATION_TOO_SOON',
  TransmitterUnavailable = 'TRANSMITTER_UNAVAILABLE',
}

const STATUS: Record<SsfTransmitterErrorCode, [number, string]> = {
  // SSF 1.0 §8.1: 404 "if there is no Event Stream with the given stream_id for this Event Receiver": another
  // receiver's stream is answered exactly like one that does not exist.
  [SsfTransmitterErrorCode.StreamNotFound]: [404, 'No such stream for this receiver'],
  [SsfTransmitterErrorCode.InvalidStreamConfiguration]: [400, 'The stream configuration is not valid'],
  [SsfTransmitterErrorCode.UnsupportedDeliveryMethod]: [400, 'Unsupported delivery method'],
  [SsfTransmitterErrorCode.TooManyStreams]: [409, 'This receiver has as many streams as it may have'],
  [SsfTransmitterErrorCode.VerificationTooSoon]: [429, 'Verification requested sooner than min_verification_interval'],
  [SsfTransmitterErrorCode.TransmitterUnavailable]: [503, 'The Shared Signals transmitter is not configured'],
};

export class SsfTransmitterError extends DomainError {
  constructor(code: SsfTransmitterErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
