import { OwnerSubject } from '../../owners/owners.repository';
import { isObject } from '../scim/scim-attributes';
import { looksLikeEmail } from '../subject';
import { SsfError } from './ssf.errors';

/**
 * The ways a Subject Identifier (RFC 9493, OpenID SSF 1.0 §3) may name an owner, most specific first.
 * iss_sub and opaque ids are external ids under the issuer (owner_identities source = the issuer URL);
 * account and mailto: URIs carry an email; aliases try each identifier; a complex subject names its
 * person in `user` (a session, device or tenant alone names no owner). Formats that identify no person
 * (jwt_id, saml_assertion_id) or that we do not know give no candidates. Older RISC/CAEP drafts wrote
 * `subject_type` ("iss-sub", "phone") instead of `format`; they are read too.
 */
export function ssfSubjectCandidates(subject: unknown, setIssuer: string, depth = 0): OwnerSubject[] {
  if (!isObject(subject)) throw new SsfError('invalid_request', 'the subject identifier must be an object');
  const rawFormat = typeof subject.format === 'string' ? subject.format : typeof subject.subject_type === 'string' ? subject.subject_type : undefined;
  if (!rawFormat) {
    // A complex subject may omit "format" (SSF 1.0 §3.2): members are user, session, device, ...
    if (isObject(subject.user)) return ssfSubjectCandidates(subject.user, setIssuer, depth + 1);
    throw new SsfError('invalid_request', 'the subject identifier has no format');
  }
  const format = rawFormat.toLowerCase().replace(/-/g, '_');
  switch (format) {
    case 'email':
      return [{ email: member(subject, 'email', format) }];
    case 'phone':
    case 'phone_number':
      return [{ phone: member(subject, 'phone_number', format) }];
    case 'iss_sub': {
      const iss = member(subject, 'iss', format);
      const sub = member(subject, 'sub', format);
      return [{ source: iss, externalId: sub }, ...(looksLikeEmail(sub) ? [{ email: sub }] : [])];
    }
    case 'opaque':
      return [{ source: setIssuer, externalId: member(subject, 'id', format) }];
    case 'account':
      return emailFromUri(member(subject, 'uri', format), format);
    case 'uri': {
      const uri = member(subject, 'uri', format);
      return /^(acct|mailto):/i.test(uri) ? emailFromUri(uri, format) : [{ source: setIssuer, externalId: uri }];
    }
    case 'did':
      return [{ source: setIssuer, externalId: member(subject, 'url', format) }];
    case 'aliases': {
      if (depth > 0) throw new SsfError('invalid_request', 'aliases cannot be nested');
      const identifiers = subject.identifiers;
      if (!Array.isArray(identifiers) || identifiers.length === 0) {
        throw new SsfError('invalid_request', 'an aliases subject needs a non-empty identifiers array');
      }
      return identifiers.flatMap((identifier) => ssfSubjectCandidates(identifier, setIssuer, depth + 1));
    }
    case 'complex':
      return isObject(subject.user) ? ssfSubjectCandidates(subject.user, setIssuer, depth + 1) : [];
    default:
      return [];
  }
}

function member(subject: Record<string, unknown>, name: string, format: string): string {
  const value = subject[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > 512) {
    throw new SsfError('invalid_request', `a subject of format ${format} needs a non-empty string ${name}`);
  }
  return value.trim();
}

function emailFromUri(uri: string, format: string): OwnerSubject[] {
  const match = /^(?:acct|mailto):(.+)$/i.exec(uri);
  if (!match) throw new SsfError('invalid_request', `a subject of format ${format} needs an acct: URI`);
  let address: string;
  try {
    address = decodeURIComponent(match[1]);
  } catch {
    throw new SsfError('invalid_request', `the ${format} URI is not correctly encoded`);
  }
  return looksLikeEmail(address) ? [{ email: address }] : [];
}
