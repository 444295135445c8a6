import { ApiProblem } from '../api/api-client';

/** Why a service refused, in plain words: what the refusal means for the person, then the service's own detail. */
export function explainProblem(problem: ApiProblem): string {
  switch (problem.code) {
    case 'AUTH_FORBIDDEN':
      return 'Your account does not have a role that allows this. Incidents are for SOC analysts and admins.';
    case 'AUTH_EXPIRED':
    case 'AUTH_MISSING':
    case 'AUTH_INVALID_SIGNATURE':
    case 'AUTH_WRONG_AUDIENCE':
    case 'AUTH_WRONG_ISSUER':
      return 'The service did not accept your sign-in. Sign out and sign in again.';
    case 'AUTH_KEYS_UNAVAILABLE':
      return 'The service cannot check sign-ins right now (it cannot reach the identity provider). Try again in a moment.';
    case 'SEPARATION_OF_DUTIES':
      return separationOfDuties(problem.detail);
    case 'ILLEGAL_INCIDENT_TRANSITION':
      return `Not possible now: ${problem.detail}. The incident may have changed meanwhile; it is shown as it stands.`;
    case 'INCIDENT_NOT_FOUND':
      return 'There is no such incident.';
    case 'SERVICE_UNREACHABLE':
    case 'SERVICE_TIMEOUT':
      return 'The service did not answer. Try again in a moment.';
    default:
      return problem.detail || problem.title;
  }
}

/** Separation of duties, as the analyst needs to hear it: who must act instead, and why. */
function separationOfDuties(detail: string): string {
  if (detail.includes('you ordered this containment')) {
    return 'You ordered this containment yourself, so another analyst must release it: one person never both contains and restores an agent.';
  }
  if (detail.includes('takes two analysts')) {
    return 'This score is high enough that two analysts must agree to release the agent. You have asked already; a second analyst must now release it.';
  }
  return `Another analyst must make this decision (separation of duties): ${detail}`;
}

export function ProblemMessage({ problem, action }: { problem: ApiProblem; action?: string }) {
  return (
    <div role="alert" className="problem">
      <p>
        <strong>{action ? `${action}: refused. ` : ''}</strong>
        {explainProblem(problem)}
      </p>
      <p className="problem-code">
        {problem.status} {problem.code}
      </p>
    </div>
  );
}
