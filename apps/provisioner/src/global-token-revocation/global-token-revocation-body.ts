import { IncomingMessage, Server, ServerResponse } from 'node:http';

import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

export const GLOBAL_TOKEN_REVOCATION_PATH = '/global-token-revocation';
/** A subject identifier is a few hundred bytes; this leaves room and no more. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The request body as read before Express saw it: its text, or why there is none. */
export type RawBody = { text: string } | { problem: 'too-large' | 'unreadable' };

const RAW_BODY = Symbol('globalTokenRevocationBody');

interface WithRawBody extends IncomingMessage {
  [RAW_BODY]?: RawBody;
}

export function rawBodyOf(request: unknown): RawBody | undefined {
  return (request as WithRawBody)[RAW_BODY];
}

/**
 * Reads the body of `POST /global-token-revocation` before Express does. The platform's JSON parser answers a
 * malformed body with the JSON error message, which quotes the body; a revocation request names a person (an
 * email, an IdP user id) and must be refused without repeating it. A request whose stream has been read to its end
 * is skipped by every body parser, so the controller parses this text itself and refuses in its own words. Every
 * other request goes on to Express untouched.
 */
@Injectable()
export class GlobalTokenRevocationBodyReader implements OnApplicationBootstrap {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    const others = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const pass = () => {
        for (const listener of others) listener.call(server, req, res);
      };
      if (req.method !== 'POST' || !isThePath(req.url)) return pass();
      void readBody(req).then((body) => {
        (req as WithRawBody)[RAW_BODY] = body;
        pass();
      });
    });
  }
}

function isThePath(url: string | undefined): boolean {
  return url === GLOBAL_TOKEN_REVOCATION_PATH || (url?.startsWith(`${GLOBAL_TOKEN_REVOCATION_PATH}?`) ?? false);
}

/** The whole body up to MAX_BODY_BYTES; past that it is drained and dropped, so that the answer can still be sent. */
export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<RawBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? { problem: 'too-large' } : { text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () => resolve({ problem: 'unreadable' }));
  });
}
