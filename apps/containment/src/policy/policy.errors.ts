import { DomainError } from '@agentgov/service-runtime';

/** Why a policy change was refused; each is a stable code in the problem details. */
export enum PolicyErrorCode {
  InvalidPolicy = 'INVALID_POLICY',
  VersionConflict = 'POLICY_VERSION_CONFLICT',
}

const STATUS: Record<PolicyErrorCode, [number, string]> = {
  [PolicyErrorCode.InvalidPolicy]: [422, 'The policy is not consistent'],
  [PolicyErrorCode.VersionConflict]: [409, 'The policy changed since it was read'],
};

export class PolicyError extends DomainError {
  constructor(code: PolicyErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
