import { DomainError } from '@agentgov/service-runtime';

/**
 * Why a Global Token Revocation request was refused, with the status the draft gives each case
 * (draft-parecki-oauth-global-token-revocation-06 §3.4.2; other 401s and 403s come from RevocationCallerGuard).
 * A detail never quotes the request: it names the member at fault, never its value.
 */
export enum GlobalTokenRevocationErrorCode {
  /** §3.4.2 400: not JSON, not an object, no `sub_id`, a member missing or of the wrong type. */
  InvalidRequest = 'GTR_INVALID_REQUEST',
  /** §3.4.2 400: "an unrecognized or unsupported type of subject identifier". */
  UnsupportedSubjectFormat = 'GTR_UNSUPPORTED_SUBJECT_FORMAT',
  /** Not in the draft: a body larger than any subject identifier. */
  BodyTooLarge = 'GTR_BODY_TOO_LARGE',
  /** §3.4.2 404 "User Not Found": no agent or owner is known by the subject identifier. */
  SubjectNotFound = 'GTR_SUBJECT_NOT_FOUND',
  /** §3.4.2 422 "Unable to log out the user": the identifier names several owners (a shared email), so none is chosen. */
  SubjectAmbiguous = 'GTR_SUBJECT_AMBIGUOUS',
  /** §3.4.2 403 "Insufficient authorization": an IdP's assertion names a subject outside its tenant (§6.1). */
  SubjectOutOfScope = 'GTR_SUBJECT_OUT_OF_SCOPE',
  /** §3.4.2 401: an IdP's assertion (its jti) was used already; each request carries a fresh one. */
  AssertionReplayed = 'GTR_ASSERTION_REPLAYED',
}

const STATUS: Record<GlobalTokenRevocationErrorCode, [number, string]> = {
  [GlobalTokenRevocationErrorCode.InvalidRequest]: [400, 'The global token revocation request is malformed'],
  [GlobalTokenRevocationErrorCode.UnsupportedSubjectFormat]: [400, 'The subject identifier format is not supported'],
  [GlobalTokenRevocationErrorCode.BodyTooLarge]: [413, 'The request body is too large'],
  [GlobalTokenRevocationErrorCode.SubjectNotFound]: [404, 'User not found'],
  [GlobalTokenRevocationErrorCode.SubjectAmbiguous]: [422, 'Unable to log out the subject'],
  [GlobalTokenRevocationErrorCode.SubjectOutOfScope]: [403, 'The subject is outside what this caller may log out'],
  [GlobalTokenRevocationErrorCode.AssertionReplayed]: [401, 'The revocation assertion was used already'],
};

export class GlobalTokenRevocationError extends DomainError {
  constructor(code: GlobalTokenRevocationErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
