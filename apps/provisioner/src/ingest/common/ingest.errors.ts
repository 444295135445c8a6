import { DomainError } from '@agentgov/service-runtime';

export enum IngestErrorCode {
  SenderNotConfigured = 'INGEST_SENDER_NOT_CONFIGURED',
  SenderNotAuthenticated = 'INGEST_SENDER_NOT_AUTHENTICATED',
  InvalidDelivery = 'INGEST_INVALID_DELIVERY',
  UnsupportedMediaType = 'INGEST_UNSUPPORTED_MEDIA_TYPE',
}

/** Errors of the webhook-style ingest endpoints (Okta), as problem details. */
export class IngestError extends DomainError {
  static notConfigured(what: string): IngestError {
    return new IngestError(IngestErrorCode.SenderNotConfigured, 503, 'Ingest endpoint not configured', `${what} is not configured on this service.`);
  }

  static notAuthenticated(detail: string): IngestError {
    return new IngestError(IngestErrorCode.SenderNotAuthenticated, 401, 'Sender not authenticated', detail);
  }

  static invalid(detail: string): IngestError {
    return new IngestError(IngestErrorCode.InvalidDelivery, 400, 'The delivery is not valid', detail);
  }

  static unsupportedMediaType(expected: string): IngestError {
    return new IngestError(IngestErrorCode.UnsupportedMediaType, 415, 'Unsupported media type', `Content-Type must be ${expected}.`);
  }

  constructor(code: IngestErrorCode, status: number, title: string, detail: string) {
    super({ code, status, title, detail });
  }
}
