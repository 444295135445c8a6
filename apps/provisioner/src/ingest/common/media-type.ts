import type { IncomingMessage } from 'http';

/** The request's media type without parameters, lower-cased; '' when absent. */
export function mediaTypeOf(request: Pick<IncomingMessage, 'headers'>): string {
  const header = request.headers['content-type'];
  return (typeof header === 'string' ? header : '').split(';')[0].trim().toLowerCase();
}
