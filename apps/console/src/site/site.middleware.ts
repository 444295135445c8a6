import { Inject, Injectable, NestMiddleware } from '@nestjs/common';

import { StaticSite } from './static-site';

/** Paths the server itself answers; everything else a browser GETs is the single-page app. */
const SERVER_PATHS = [/^\/api\//, /^\/config\.json$/, /^\/health\//, /^\/metrics$/, /^\/docs(\/|$)/, /^\/openapi\.json$/];

export const STATIC_SITE = Symbol('console:static-site');

interface Request {
  method: string;
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
}

interface Response {
  setHeader(name: string, value: string): void;
  status(code: number): Response;
  end(body?: Buffer): void;
}

/**
 * Serves the built files, and index.html for any other page of the app (/, /incidents/…, /callback), so that a page
 * reloaded or opened from a link starts the app there. Hashed assets are cached for good; index.html never is.
 */
@Injectable()
export class SiteMiddleware implements NestMiddleware {
  constructor(@Inject(STATIC_SITE) private readonly site: StaticSite) {}

  use(request: Request, response: Response, next: () => void): void {
    // The whole path: a middleware's own `path` is relative to where it is mounted.
    const path = request.originalUrl.split('?')[0];
    if ((request.method !== 'GET' && request.method !== 'HEAD') || SERVER_PATHS.some((p) => p.test(path))) {
      next();
      return;
    }
    const asset = this.site.file(path);
    const accept = String(request.headers['accept'] ?? '');
    const file = asset && path !== '/index.html' ? asset : accept.includes('text/html') ? this.site.index : undefined;
    if (!file) {
      next();
      return;
    }
    response.setHeader('Content-Type', file.contentType);
    response.setHeader('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-store');
    response.status(200).end(request.method === 'HEAD' ? undefined : file.body);
  }
}
