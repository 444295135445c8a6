import { DomainError } from '@agentgov/service-runtime';

/** Why a reviewer's request was refused; each is a stable code in the problem details. */
export enum ReviewErrorCode {
  ReviewNotFound = 'REVIEW_NOT_FOUND',
  ReviewClosed = 'REVIEW_CLOSED',
  UnknownScopes = 'UNKNOWN_SCOPES',
  SeparationOfDuties = 'SEPARATION_OF_DUTIES',
}

const STATUS: Record<ReviewErrorCode, [number, string]> = {
  [ReviewErrorCode.ReviewNotFound]: [404, 'Review not found'],
  [ReviewErrorCode.ReviewClosed]: [409, 'The review is closed'],
  [ReviewErrorCode.UnknownScopes]: [422, 'The agent does not hold these scopes'],
  [ReviewErrorCode.SeparationOfDuties]: [403, "Someone other than the agent's owner must decide this review"],
};

export class ReviewError extends DomainError {
  constructor(code: ReviewErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
