import { isProduction } from '../global-token-revocation/trusted-revocation-idps';

export const RESOURCE_SERVERS_CONFIG = Symbol('RESOURCE_SERVERS_CONFIG');

export interface ResourceServersConfig {
  /** This issuer's identifier: the authorization server a registered resource names (RFC 9728 §2). */
  issuer: string;
  /** Production refuses identifiers without https. */
  production: boolean;
}

export function resourceServersConfigFrom(env: { ISSUER_URL: string; NODE_ENV?: string }): ResourceServersConfig {
  return { issuer: env.ISSUER_URL.replace(/\/+$/, ''), production: isProduction(env.NODE_ENV) };
}
