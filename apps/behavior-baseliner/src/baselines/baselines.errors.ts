import { DomainError } from '@agentgov/service-runtime';

/** Why the baselines API refused a request; each is a stable code in the problem details. */
export enum BaselinesErrorCode {
  BaselineNotFound = 'BASELINE_NOT_FOUND',
}

const STATUS: Record<BaselinesErrorCode, [number, string]> = {
  [BaselinesErrorCode.BaselineNotFound]: [404, 'No baseline for this agent'],
};

export class BaselinesError extends DomainError {
  constructor(code: BaselinesErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
