/**
 * Thrown by a handler when retrying cannot help (the event contradicts state, a rule refuses it):
 * the message goes to the DLQ at once instead of after the retries.
 */
export class NonRetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonRetryableError';
  }
}

const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * Errors of the infrastructure rather than of the event: the database is restarting or unreachable,
 * or a transaction lost a serialization race. Dead-lettering on these would empty a healthy topic into
 * the DLQ during a Postgres restart, so the runner waits and retries them without counting attempts.
 */
export function isTransientInfrastructureError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown };
  if (e.driverError) return isTransientInfrastructureError(e.driverError);
  const code = typeof e.code === 'string' ? e.code : '';
  if (TRANSIENT_NODE_CODES.has(code)) return true;
  // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P0x operator intervention;
  // 40001 serialization failure and 40P01 deadlock are safe to retry as a whole transaction.
  if (/^(08|53)/.test(code) || /^57P0/.test(code) || code === '40001' || code === '40P01') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|Connection ended|the database system is (starting up|shutting down)|timeout exceeded when trying to connect/i.test(
    message,
  );
}
