import { ApiProblem } from '../api/api-client';
import { explainProblem } from '../components/ProblemMessage';
import { RefusalContext, refusalWords } from './refusal-words';

/** A service's refusal explained in the page's own terms (ProblemMessage's look and general words otherwise). */
export function RefusalMessage({ problem, action, context = {} }: { problem: ApiProblem; action?: string; context?: RefusalContext }) {
  return (
    <div role="alert" className="problem">
      <p>
        <strong>{action ? `${action}: refused. ` : ''}</strong>
        {refusalWords(problem, context) ?? explainProblem(problem)}
      </p>
      <p className="problem-code">
        {problem.status} {problem.code}
      </p>
    </div>
  );
}
