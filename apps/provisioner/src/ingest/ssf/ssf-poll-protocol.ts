import { SsfError } from './ssf.errors';

/** RFC 8936 §2.4 (and §2.4.4 for setErrs): the body of a poll request. */
export interface PollRequestBody {
  maxEvents: number;
  returnImmediately: boolean;
  ack?: string[];
  setErrs?: Record<string, { err: string; description: string }>;
}

/** RFC 8936 §2.5: the SETs of a poll answer by jti, and whether more are waiting. */
export interface PollAnswer {
  sets: Map<string, string>;
  moreAvailable: boolean;
}

/** What this receiver made of one polled SET: processed (acknowledge it) or refused (report it in setErrs). */
export type PolledSetOutcome = { jti: string; processed: true } | { jti: string; processed: false; err: string; description: string };

export const MAX_POLL_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * The next poll request: it acknowledges what was processed since the last answer and reports what was refused
 * (RFC 8936 §2.4.3 "Poll with Acknowledgement", §2.4.4 "Poll with Acknowledgement and Errors"); `maxEvents` 0 makes
 * it an acknowledge-only request (§2.4.2). A SET that could not be processed for a passing reason (the database,
 * the transmitter's keys) is neither: it comes again.
 */
export function pollRequestBody(outcomes: readonly PolledSetOutcome[], maxEvents: number): PollRequestBody {
  const ack = outcomes.filter((o) => o.processed).map((o) => o.jti);
  const errors = outcomes.filter((o): o is Extract<PolledSetOutcome, { processed: false }> => !o.processed);
  return {
    maxEvents,
    returnImmediately: true,
    ...(ack.length > 0 ? { ack } : {}),
    ...(errors.length > 0 ? { setErrs: Object.fromEntries(errors.map((e) => [e.jti, { err: e.err, description: e.description.slice(0, 500) }])) } : {}),
  };
}

/** Reads a poll answer; anything that is not one is refused as a whole (nothing in it is processed). */
export function parsePollAnswer(text: string): PollAnswer {
  if (text.length > MAX_POLL_ANSWER_BYTES) throw new SsfError('invalid_request', 'the poll answer is too large');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SsfError('invalid_request', 'the poll answer is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SsfError('invalid_request', 'the poll answer is not a JSON object');
  const { sets, moreAvailable } = body as Record<string, unknown>;
  if (typeof sets !== 'object' || sets === null || Array.isArray(sets)) throw new SsfError('invalid_request', 'the poll answer has no "sets" object');
  if (moreAvailable !== undefined && typeof moreAvailable !== 'boolean') throw new SsfError('invalid_request', '"moreAvailable" must be a boolean');
  const parsed = new Map<string, string>();
  for (const [jti, set] of Object.entries(sets)) {
    if (jti === '' || jti.length > 256 || typeof set !== 'string') throw new SsfError('invalid_request', 'every member of "sets" must be a jti and its SET');
    parsed.set(jti, set);
  }
  return { sets: parsed, moreAvailable: moreAvailable === true };
}
