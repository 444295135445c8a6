export interface ProblemFieldError {
  /** JSON Pointer (RFC 6901) to the offending member of the request, when there is one. */
  readonly pointer?: string;
  readonly detail: string;
}

export interface DomainErrorOptions {
  /** Stable, machine-readable code in UPPER_SNAKE_CASE, e.g. AGENT_NOT_FOUND. */
  code: string;
  /** HTTP status the error maps to. */
  status: number;
  /** Short summary that does not change between occurrences of the same code. */
  title: string;
  /** What happened this time; becomes the problem's `detail`, so it must be safe to show a client. */
  detail?: string;
  errors?: readonly ProblemFieldError[];
  cause?: unknown;
}

/**
 * Base class of the errors a use case raises on purpose. HTTP maps it to problem details in one place
 * (ProblemDetailsFilter), so use cases never know about HTTP.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly errors?: readonly ProblemFieldError[];

  constructor(options: DomainErrorOptions) {
    super(options.detail ?? options.title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.status = options.status;
    this.title = options.title;
    this.errors = options.errors;
  }
}
