import { DomainError } from '@agentgov/service-runtime';

export enum OwnerErrorCode {
  OwnerNotFound = 'OWNER_NOT_FOUND',
  OwnerExists = 'OWNER_EXISTS',
  IdentityTaken = 'OWNER_IDENTITY_TAKEN',
  InvalidLifecycleEvent = 'INVALID_LIFECYCLE_EVENT',
  InvalidCursor = 'INVALID_CURSOR',
  SignalNotFound = 'IDENTITY_SIGNAL_NOT_FOUND',
  SignalResolved = 'IDENTITY_SIGNAL_RESOLVED',
}

export class OwnerError extends DomainError {
  static notFound(id: string): OwnerError {
    return new OwnerError(OwnerErrorCode.OwnerNotFound, 404, 'Owner not found', `No owner has the id "${id.slice(0, 256)}".`);
  }

  static exists(id: string): OwnerError {
    return new OwnerError(OwnerErrorCode.OwnerExists, 409, 'Owner already exists', `An owner with the id "${id.slice(0, 256)}" already exists.`);
  }

  static identityTaken(source: string, externalId: string): OwnerError {
    return new OwnerError(
      OwnerErrorCode.IdentityTaken,
      409,
      'Identity already linked to another owner',
      `The identity ${source.slice(0, 256)}/${externalId.slice(0, 256)} belongs to another owner.`,
    );
  }

  static invalidLifecycleEvent(detail: string): OwnerError {
    return new OwnerError(OwnerErrorCode.InvalidLifecycleEvent, 400, 'The lifecycle event is not valid', detail);
  }

  static invalidCursor(): OwnerError {
    return new OwnerError(OwnerErrorCode.InvalidCursor, 400, 'The cursor is not valid', 'Pass the nextCursor of a previous page unchanged.');
  }

  static signalNotFound(id: string): OwnerError {
    return new OwnerError(OwnerErrorCode.SignalNotFound, 404, 'Identity signal not found', `No kept identity signal has the id "${id.slice(0, 64)}".`);
  }

  static signalResolved(id: string, status: string): OwnerError {
    return new OwnerError(OwnerErrorCode.SignalResolved, 409, 'Identity signal already resolved', `The identity signal ${id} is ${status}, not pending.`);
  }

  constructor(code: OwnerErrorCode, status: number, title: string, detail: string) {
    super({ code, status, title, detail });
  }
}
