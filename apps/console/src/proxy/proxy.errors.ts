import { DomainError } from '@agentgov/service-runtime';

/** Why the console's proxy refused to forward a request, or could not; each is a stable code in the problem details. */
export enum ProxyErrorCode {
  UnknownService = 'UNKNOWN_SERVICE',
  MethodNotForwarded = 'METHOD_NOT_FORWARDED',
  PathNotForwarded = 'PATH_NOT_FORWARDED',
  BodyNotForwarded = 'BODY_NOT_FORWARDED',
  ServiceUnreachable = 'SERVICE_UNREACHABLE',
  ServiceTimeout = 'SERVICE_TIMEOUT',
}

const STATUS: Record<ProxyErrorCode, [number, string]> = {
  [ProxyErrorCode.UnknownService]: [404, 'No such service'],
  [ProxyErrorCode.MethodNotForwarded]: [405, 'Method not forwarded'],
  [ProxyErrorCode.PathNotForwarded]: [400, 'Path not forwarded'],
  [ProxyErrorCode.BodyNotForwarded]: [415, 'Only JSON bodies are forwarded'],
  [ProxyErrorCode.ServiceUnreachable]: [502, 'The service cannot be reached'],
  [ProxyErrorCode.ServiceTimeout]: [504, 'The service did not answer in time'],
};

export class ProxyError extends DomainError {
  constructor(code: ProxyErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
