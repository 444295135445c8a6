import { DomainError } from '@agentgov/service-runtime';

/** Why a request to the clock was refused; each is a stable code in the problem details. */
export enum ClockErrorCode {
  /** Without CLOCK_CONTROL the route does not exist as far as a caller can tell. */
  ClockNotControllable = 'CLOCK_NOT_CONTROLLABLE',
}

const STATUS: Record<ClockErrorCode, [number, string]> = {
  [ClockErrorCode.ClockNotControllable]: [404, 'Not found'],
};

export class ClockError extends DomainError {
  constructor(code: ClockErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
