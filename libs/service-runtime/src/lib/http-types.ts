import type { IncomingMessage, ServerResponse } from 'http';

// @types/express is not a dependency; these are the few Express members the runtime touches.
export interface HttpRequest extends IncomingMessage {
  originalUrl?: string;
  route?: { path?: string };
}

export interface HttpResponse extends ServerResponse {
  status(code: number): this;
  json(body: unknown): this;
  type(contentType: string): this;
  send(body: unknown): this;
}
