import { IdpRevocationCaller } from './idp-revocation-assertion';

/** Who called the Global Token Revocation endpoint: a platform principal (role-checked), or a trusted IdP by its own signed assertion. */
export type RevocationCaller = { kind: 'platform'; subject: string } | ({ kind: 'idp' } & IdpRevocationCaller);
