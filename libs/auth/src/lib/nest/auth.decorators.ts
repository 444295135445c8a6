import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

import { Role } from '../roles';
import { Principal } from '../token-verifier';

// 'isPublic' is also what service-runtime's health and metrics routes set.
export const IS_PUBLIC_KEY = 'isPublic';
export const ROLES_KEY = 'agentgov:roles';

/** Lets a route or controller through without a bearer token (health, metrics, signed webhooks). */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/** Requires at least one of these roles; a handler's list replaces its controller's. */
export const Roles = (...roles: Role[]): ClassDecorator & MethodDecorator => SetMetadata(ROLES_KEY, roles);

export interface AuthenticatedRequest {
  principal?: Principal;
}

/** The verified principal of the request; undefined on a @Public() route. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | undefined => context.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);
