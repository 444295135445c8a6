import { DomainError } from '@agentgov/service-runtime';

export class IncidentNotFoundError extends DomainError {
  constructor(id: string) {
    super({ code: 'INCIDENT_NOT_FOUND', status: 404, title: 'Incident not found', detail: `no incident ${id}` });
  }
}

export class IllegalIncidentTransitionError extends DomainError {
  constructor(decision: string, status: string) {
    super({ code: 'ILLEGAL_INCIDENT_TRANSITION', status: 409, title: 'Not possible in the incident\'s current status', detail: `cannot ${decision} an incident that is ${status}` });
  }
}

export class AgentNotKnownError extends DomainError {
  constructor(what: string) {
    super({ code: 'AGENT_NOT_KNOWN', status: 404, title: 'No such agent in the registry containment knows', detail: what });
  }
}
