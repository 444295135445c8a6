import { DomainError } from '@agentgov/service-runtime';

/** Why a request about incidents was refused; each is a stable code in the problem details. */
export enum IncidentsErrorCode {
  IncidentNotFound = 'INCIDENT_NOT_FOUND',
  IllegalTransition = 'ILLEGAL_INCIDENT_TRANSITION',
  ActorNotRecordable = 'ACTOR_NOT_RECORDABLE',
  InvalidCursor = 'INVALID_CURSOR',
  SeparationOfDuties = 'SEPARATION_OF_DUTIES',
  TooManyStreams = 'TOO_MANY_STREAMS',
}

const STATUS: Record<IncidentsErrorCode, [number, string]> = {
  [IncidentsErrorCode.IncidentNotFound]: [404, 'Incident not found'],
  [IncidentsErrorCode.IllegalTransition]: [409, "Not possible in the incident's current status"],
  [IncidentsErrorCode.ActorNotRecordable]: [403, 'The token subject cannot be recorded as the actor'],
  [IncidentsErrorCode.InvalidCursor]: [400, 'The cursor is not valid'],
  [IncidentsErrorCode.SeparationOfDuties]: [403, 'Another analyst must make this decision'],
  [IncidentsErrorCode.TooManyStreams]: [503, 'Too many live incident streams'],
};

export class IncidentsError extends DomainError {
  /** `decision` is not possible while the incident is `status` (or in the situation `status` describes). */
  static illegalTransition(decision: string, status: string): IncidentsError {
    return new IncidentsError(IncidentsErrorCode.IllegalTransition, `cannot ${decision} an incident that is ${status}`);
  }

  constructor(code: IncidentsErrorCode, detail: string) {
    const [status, title] = STATUS[code];
    super({ code, status, title, detail });
  }
}
