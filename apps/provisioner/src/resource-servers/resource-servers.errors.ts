import { DomainError } from '@agentgov/service-runtime';

/** Why the resource server registry refused a request; each is a stable code in the problem details. */
export enum ResourceServerErrorCode {
  NotFound = 'RESOURCE_SERVER_NOT_FOUND',
  Exists = 'RESOURCE_SERVER_EXISTS',
  Invalid = 'INVALID_RESOURCE_SERVER',
}

const STATUS: Record<ResourceServerErrorCode, [number, string]> = {
  [ResourceServerErrorCode.NotFound]: [404, 'Resource server not found'],
  [ResourceServerErrorCode.Exists]: [409, 'A resource server with that identifier is registered'],
  [ResourceServerErrorCode.Invalid]: [400, 'The resource server metadata is not valid'],
};

export class ResourceServerError extends DomainError {
  constructor(code: ResourceServerErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
