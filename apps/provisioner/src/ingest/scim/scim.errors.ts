/** RFC 7644 §3.12 scimType values. */
export type ScimType =
  'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

/** An error a SCIM client receives in the SCIM error schema. */
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

  static notFound(id: string): ScimError {
    return new ScimError(404, `Resource ${id.slice(0, 256)} not found`);
  }
}
