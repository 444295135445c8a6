import type { IncomingMessage, ServerResponse } from 'http';

// @types/express is not a dependency; these are the few Express members the ingest controllers touch.
export interface HttpResponse extends ServerResponse {
  status(code: number): this;
  type(contentType: string): this;
  send(body: unknown): this;
}

export interface HttpRequest extends IncomingMessage {
  protocol?: string;
  originalUrl?: string;
}

/** scheme://host the client used, for absolute locations; falls back to the socket's view. */
export function baseUrlOf(request: HttpRequest): string {
  const forwardedProto = request.headers['x-forwarded-proto'];
  const proto = (typeof forwardedProto === 'string' ? forwardedProto.split(',')[0].trim() : '') || request.protocol || 'http';
  const host = request.headers.host ?? 'localhost';
  return `${proto}://${host}`;
}
