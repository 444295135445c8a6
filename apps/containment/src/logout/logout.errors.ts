import { DomainError } from '@agentgov/service-runtime';

/** Why a universal logout request was refused; each is a stable code in the problem details. */
export enum LogoutErrorCode {
  AgentNotKnown = 'AGENT_NOT_KNOWN',
  TooManyAgents = 'TOO_MANY_AGENTS',
  UnknownConnector = 'UNKNOWN_CONNECTOR',
}

const STATUS: Record<LogoutErrorCode, [number, string]> = {
  [LogoutErrorCode.AgentNotKnown]: [404, 'No such agent in the registry containment knows'],
  [LogoutErrorCode.TooManyAgents]: [422, 'Too many agents for one request'],
  [LogoutErrorCode.UnknownConnector]: [422, 'No such RFC 7009 connector'],
};

export class LogoutError extends DomainError {
  constructor(code: LogoutErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
