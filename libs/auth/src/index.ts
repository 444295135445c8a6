export {
  AUTH_ENV_VARS,
  authConfigFromEnv,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEV_AUTH_AUDIENCE,
  DEV_AUTH_ISSUER,
} from './lib/auth-config';
export type { AuthConfig, AuthEnvVar } from './lib/auth-config';
export { AuthError, AuthErrorCode } from './lib/auth.error';
export { DEV_PRIVATE_KEY_FILE, DEV_PUBLIC_KEY_FILE, ensureDevKeyPair, mintDevToken } from './lib/dev-token';
export type { DevKeyPair, MintDevTokenOptions } from './lib/dev-token';
export { ALLOWED_ALGORITHMS, parsePublicKey } from './lib/public-key';
export type { AllowedAlgorithm, PublicKeyInput } from './lib/public-key';
export { isRole, Role, ROLES } from './lib/roles';
export { assertAnyRole, createTokenVerifier } from './lib/token-verifier';
export type { Principal, TokenVerifier } from './lib/token-verifier';
export { AUTH_REALM, AuthHttpException, PROBLEM_CONTENT_TYPE } from './lib/nest/auth-http.exception';
export type { AuthProblemBody } from './lib/nest/auth-http.exception';
export { AUTH_CONFIG, AuthModule } from './lib/nest/auth.module';
export { AuthProblemFilter } from './lib/nest/auth-problem.filter';
export { CurrentPrincipal, IS_PUBLIC_KEY, Public, ROLES_KEY, Roles } from './lib/nest/auth.decorators';
export type { AuthenticatedRequest } from './lib/nest/auth.decorators';
export { BearerAuthGuard, TOKEN_VERIFIER } from './lib/nest/bearer-auth.guard';
