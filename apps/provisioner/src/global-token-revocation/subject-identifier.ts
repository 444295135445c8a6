import { GlobalTokenRevocationError, GlobalTokenRevocationErrorCode } from './global-token-revocation.errors';

/**
 * The subject identifiers (RFC 9493 §3.2) this endpoint takes: the three the draft shows in its examples
 * (draft-parecki-oauth-global-token-revocation-06 §3.2).
 * - `opaque` `{id}`: an agent's id (which is also its OAuth client id and the `sub` of its tokens) or an owner's id.
 * - `iss_sub` `{iss, sub}`: with this issuer's `iss`, the agent whose tokens carry `sub`; with another `iss`, the
 *   owner linked to that identity (`owner_identities` source = the IdP's issuer URL, external id = `sub`).
 * - `email` `{email}`: the owner with that email.
 */
export type GlobalTokenRevocationSubject =
  { format: 'opaque'; id: string } | { format: 'iss_sub'; iss: string; sub: string } | { format: 'email'; email: string };

export const SUPPORTED_SUBJECT_FORMATS = ['opaque', 'iss_sub', 'email'] as const;

/** The other formats registered by RFC 9493 §7.1 (and SSF's `complex`): recognised, and refused by name. */
const KNOWN_UNSUPPORTED = ['account', 'aliases', 'did', 'phone_number', 'uri', 'complex'];

const MAX_MEMBER_LENGTH = 2048;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

const invalid = (detail: string) => new GlobalTokenRevocationError(GlobalTokenRevocationErrorCode.InvalidRequest, detail);

/**
 * The request body's `sub_id` (§3.2: "an application/json body containing a single property sub_id"), or a 400.
 * Messages name members and formats from fixed lists only: nothing the caller sent is quoted back. Members of
 * `sub_id` beyond those its format needs are ignored (a format may be extended); other top-level members are refused.
 */
export function parseGlobalTokenRevocationRequest(body: unknown): GlobalTokenRevocationSubject {
  if (!isObject(body)) throw invalid('The body must be a JSON object with a sub_id member.');
  const others = Object.keys(body).filter((key) => key !== 'sub_id');
  if (!('sub_id' in body)) throw invalid('The body has no sub_id member (an RFC 9493 subject identifier).');
  if (others.length > 0) throw invalid('The body may contain only the sub_id member.');
  const subject = body['sub_id'];
  if (!isObject(subject)) throw invalid('sub_id must be a JSON object (an RFC 9493 subject identifier).');
  const format = subject['format'];
  if (typeof format !== 'string' || format === '') throw invalid('sub_id.format must be a non-empty string.');
  switch (format) {
    case 'opaque':
      return { format, id: member(subject, format, 'id') };
    case 'iss_sub':
      return { format, iss: member(subject, format, 'iss'), sub: member(subject, format, 'sub') };
    case 'email': {
      const email = member(subject, format, 'email');
      if (email.length > 320 || !EMAIL.test(email)) throw invalid('sub_id.email must be an email address.');
      return { format, email };
    }
    default: {
      const which = KNOWN_UNSUPPORTED.includes(format) ? `The subject identifier format ${format} is` : 'The subject identifier format is';
      throw new GlobalTokenRevocationError(
        GlobalTokenRevocationErrorCode.UnsupportedSubjectFormat,
        `${which} not supported here; use one of ${SUPPORTED_SUBJECT_FORMATS.join(', ')}.`,
      );
    }
  }
}

/** How a subject is named in the audit trail: the identifier as sent, which names a person or an agent, never a secret. */
export function describeSubject(subject: GlobalTokenRevocationSubject): Record<string, string> {
  return { ...subject };
}

function member(subject: Record<string, unknown>, format: string, name: string): string {
  const value = subject[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_MEMBER_LENGTH) {
    throw invalid(`A subject identifier of format ${format} needs sub_id.${name}, a non-empty string of at most ${MAX_MEMBER_LENGTH} characters.`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
