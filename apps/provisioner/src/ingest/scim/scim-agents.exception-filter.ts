import { ArgumentsHost, Catch } from '@nestjs/common';

import { RegistryError, RegistryErrorCode } from '../../agents/agents.errors';
import { ScimExceptionFilter } from './scim-exception.filter';
import { ScimError } from './scim.errors';

/**
 * The registry's refusals in SCIM's terms (RFC 7644 §3.12): a rule the request breaks is 400 invalidValue, an
 * agent that does not exist 404, each with a detail written here (the registry's own details name ids, scopes and
 * dates from the request). Everything else is ScimExceptionFilter's.
 */
const DETAIL: Record<RegistryErrorCode, string> = {
  [RegistryErrorCode.AgentNotFound]: 'Resource not found',
  [RegistryErrorCode.OwnerNotFound]: "owners must reference the agent's accountable owner: a User of this service provider",
  [RegistryErrorCode.OwnerNotActive]: "The owner owners references is not active: an agent's accountable owner must be active",
  [RegistryErrorCode.ParentNotFound]: 'The parent agent is not an Agent of this service provider',
  [RegistryErrorCode.ParentNotActive]: 'The parent agent is not active: a sub-agent is registered under an active agent only',
  [RegistryErrorCode.ScopesExceedParent]: "A sub-agent's scopes must be a subset of its parent agent's scopes",
  [RegistryErrorCode.OutlivesParent]: 'A sub-agent cannot outlive its parent agent: give it an expiresAt no later than the parent',
  [RegistryErrorCode.DelegationTooDeep]: 'The delegation tree would be deeper than this service provider allows',
  [RegistryErrorCode.ExpiryInPast]: 'expiresAt must be in the future',
  [RegistryErrorCode.AgentDeprovisioned]: 'The agent is deprovisioned: it can no longer change',
  [RegistryErrorCode.IllegalTransition]: 'That change of active is not possible from the agent status',
};

export function scimErrorFromRegistryError(error: RegistryError): ScimError {
  const code = error.code as RegistryErrorCode;
  if (code === RegistryErrorCode.AgentNotFound) return ScimError.notFound();
  return ScimError.invalidValue(DETAIL[code] ?? 'The registry refused the agent');
}

@Catch()
export class ScimAgentsExceptionFilter extends ScimExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    super.catch(exception instanceof RegistryError ? scimErrorFromRegistryError(exception) : exception, host);
  }
}
