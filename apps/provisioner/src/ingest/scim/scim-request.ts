import { createHash } from 'node:crypto';

import { Principal } from '@agentgov/auth';

import { IngestRequest } from '../common/body-reader.middleware';
import { baseUrlOf, HttpRequest, HttpResponse } from '../common/http';
import { mediaTypeOf } from '../common/media-type';
import { ScimCaller } from './scim-users.service';
import { SCIM_BODY_LIMIT_BYTES, SCIM_BODY_MEDIA_TYPES, SCIM_CONTENT_TYPE, SCIM_DEFAULT_COUNT, SCIM_MAX_RESULTS } from './scim.constants';
import { ScimError } from './scim.errors';

/*
 * What every SCIM resource endpoint does with a request beside its resource: who calls, the body in one of the
 * two media types, the paging parameters, and the answer with its ETag: the same for every resource type.
 */

export function scimCaller(request: HttpRequest, principal: Principal): ScimCaller {
  return { subject: principal.subject, baseUrl: baseUrlOf(request) };
}

/** A resource as asked, with its version as ETag (RFC 7644 §3.14), as application/scim+json. */
export function scimReply(response: HttpResponse, answer: { resource: Record<string, unknown>; version: string }): Record<string, unknown> {
  response.setHeader('ETag', answer.version);
  response.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  return answer.resource;
}

/** The body of a POST, PUT or PATCH, refused in SCIM's terms when its media type, size or JSON is wrong. */
export function scimBody(request: IngestRequest, body: unknown): unknown {
  const mediaType = mediaTypeOf(request);
  if (!(SCIM_BODY_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    throw new ScimError(415, `Content-Type must be ${SCIM_CONTENT_TYPE} or application/json`);
  }
  if (request.ingestBodyProblem === 'too-large') throw new ScimError(413, `The body is larger than ${SCIM_BODY_LIMIT_BYTES} bytes`);
  if (request.ingestBodyProblem) throw ScimError.invalidSyntax('The body is not valid JSON');
  if (body === undefined) throw ScimError.invalidSyntax('The body is empty');
  return body;
}

/**
 * startIndex and count of a list request as RFC 7644 §3.4.2.4 reads them: a startIndex below 1 is 1, a negative
 * count is 0, more than maxResults is maxResults.
 */
export function scimPage(startIndex: unknown, count: unknown): { startIndex: number; count: number } {
  return {
    startIndex: Math.max(integerParameter(startIndex, 'startIndex', 1), 1),
    count: Math.min(Math.max(integerParameter(count, 'count', SCIM_DEFAULT_COUNT), 0), SCIM_MAX_RESULTS),
  };
}

function integerParameter(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^[+-]?\d{1,15}$/.test(value)) throw ScimError.invalidValue(`${name} must be an integer`);
  return Number(value);
}

/**
 * Weak ETag (RFC 7644 §3.14) over everything a resource shows except where it was read from (pass it without
 * meta.location and $refs): the same resource has the same version whichever host name the client used.
 */
export function scimVersionOf(shown: object): string {
  const hash = createHash('sha256').update(JSON.stringify(shown)).digest('base64url').slice(0, 22);
  return `W/"${hash}"`;
}
