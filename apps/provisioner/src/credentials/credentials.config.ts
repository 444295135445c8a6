import { KeyEncryptionKey, keyEncryptionKeyFrom } from '@agentgov/sealed-secrets';

import { ProvisionerEnv } from '../config/provisioner.env';

export const CREDENTIALS_CONFIG = Symbol('CREDENTIALS_CONFIG');

export interface CredentialsConfig {
  /** `iss` of every access token and base of the endpoint URLs; no trailing slash. */
  issuer: string;
  audience?: string;
  ttlSeconds: number;
  /** Most agents an exchanged token's `act` chain may name. */
  maxDelegationChain: number;
  keyEncryptionKey: KeyEncryptionKey;
  usesDevelopmentKeyEncryptionKey: boolean;
  databaseUrl: string;
}

export function credentialsConfigFrom(env: ProvisionerEnv): CredentialsConfig {
  return {
    issuer: env.ISSUER_URL.replace(/\/+$/, ''),
    audience: env.ACCESS_TOKEN_AUDIENCE,
    ttlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    maxDelegationChain: env.TOKEN_EXCHANGE_MAX_CHAIN,
    keyEncryptionKey: keyEncryptionKeyFrom({ variable: 'ISSUER_KEY_ENCRYPTION_KEY', base64: env.ISSUER_KEY_ENCRYPTION_KEY, developmentPurpose: 'issuer' }),
    usesDevelopmentKeyEncryptionKey: env.ISSUER_KEY_ENCRYPTION_KEY === undefined,
    databaseUrl: env.DATABASE_URL,
  };
}
