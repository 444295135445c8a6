/** What a page knows about the refusals it can meet, to explain them in its own terms. */
export interface RefusalContext {
  /** Said when the person's roles do not allow it (AUTH_FORBIDDEN): who may, e.g. "Changing the policy is for admins." */
  forbidden?: string;
  /** Plain words for the service's own codes on this page; a function gets the service's detail. */
  codes?: Record<string, string | ((detail: string) => string)>;
}

/**
 * A refusal in the words of the page it happened on, or undefined for the console's general explanation
 * (ProblemMessage's: sign in again, the service did not answer…).
 */
export function refusalWords(problem: { code: string; detail: string }, context: RefusalContext): string | undefined {
  if (problem.code === 'AUTH_FORBIDDEN' && context.forbidden) return `Your account does not have a role that allows this. ${context.forbidden}`;
  const words = context.codes?.[problem.code];
  if (words === undefined) return undefined;
  return typeof words === 'function' ? words(problem.detail) : words;
}
