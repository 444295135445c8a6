/** RFC 7644 §3.12 scimType values. */
export type ScimType =
  'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

/**
 * An error a SCIM client receives in the SCIM error schema. Its detail is written here, never copied from the
 * request: an answer that echoes input would reflect whatever a caller (or a forged request) put in it.
 */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
    this.name = 'ScimError';
  }

  static invalidSyntax(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidSyntax');
  }

  static invalidValue(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidValue');
  }

  static invalidPath(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidPath');
  }

  static noTarget(detail: string): ScimError {
    return new ScimError(400, detail, 'noTarget');
  }

  static invalidFilter(detail: string): ScimError {
    return new ScimError(400, detail, 'invalidFilter');
  }

  static uniqueness(detail: string): ScimError {
    return new ScimError(409, detail, 'uniqueness');
  }

  /** No such resource, or one that was deleted (RFC 7644 §3.6): the same answer, without the id asked for. */
  static notFound(): ScimError {
    return new ScimError(404, 'Resource not found');
  }

  /** RFC 7644 §3.14: the If-Match version is not the resource's. */
  static preconditionFailed(): ScimError {
    return new ScimError(412, 'The resource has changed since the version in If-Match; read it again');
  }

  static notImplemented(detail: string): ScimError {
    return new ScimError(501, detail);
  }
}

/**
 * Not an error: the resource still has the If-None-Match version (RFC 7644 §3.14), answered 304 without a body.
 * Thrown so that the read path stays a plain return of the resource.
 */
export class ScimNotModified extends Error {
  constructor(readonly version: string) {
    super('not modified');
    this.name = 'ScimNotModified';
  }
}
