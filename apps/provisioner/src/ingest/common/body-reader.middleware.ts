import type { IncomingMessage, ServerResponse } from 'http';

import { mediaTypeOf } from './media-type';

/** Why a body could not be read; the controller answers it in its protocol's error format. */
export type BodyProblem = 'too-large' | 'not-json' | 'unreadable';

export interface IngestRequest extends IncomingMessage {
  body?: unknown;
  ingestBodyProblem?: BodyProblem;
}

export interface BodyReaderOptions {
  /** Media types this reader takes (the runtime's own parser only handles application/json). */
  mediaTypes: readonly string[];
  limitBytes: number;
  as: 'json' | 'text';
}

/**
 * Reads bodies of the protocol media types the global parser skips (application/scim+json,
 * application/secevent+jwt). Problems are recorded on the request, not thrown, so that each protocol
 * answers them in its own error format.
 */
export function bodyReader(options: BodyReaderOptions) {
  return (request: IngestRequest, _response: ServerResponse, next: () => void): void => {
    if (!options.mediaTypes.includes(mediaTypeOf(request)) || request.body !== undefined || request.readableEnded) {
      next();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (problem?: BodyProblem) => {
      if (done) return;
      done = true;
      if (problem) {
        request.ingestBodyProblem = problem;
        next();
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (options.as === 'text') {
        request.body = text;
      } else {
        try {
          request.body = JSON.parse(text);
        } catch {
          request.ingestBodyProblem = 'not-json';
        }
      }
      next();
    };
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.limitBytes) {
        chunks.length = 0;
        // Keep draining so the response can still be sent on this connection.
        if (!done) finish('too-large');
        return;
      }
      if (!done) chunks.push(chunk);
    });
    request.on('end', () => finish());
    request.on('error', () => finish('unreadable'));
  };
}
