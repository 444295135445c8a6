import { DataSourceOptions } from 'typeorm';

import { MessagingTables1763900000000 } from './migrations/1763900000000-messagingTables';
import { RegistryAndIssuer1763910000000 } from './migrations/1763910000000-registryAndIssuer';
import { TokenStateNotifications1763920000000 } from './migrations/1763920000000-tokenStateNotifications';
import { SharedAuditTrail1765000000000 } from './migrations/1765000000000-sharedAuditTrail';
import { InboxDigest1765100000000 } from './migrations/1765100000000-inboxDigest';
import { ScopeNarrowingEndsTokens1765100000001 } from './migrations/1765100000001-scopeNarrowingEndsTokens';
import { SigningKeyRevocation1765100000002 } from './migrations/1765100000002-signingKeyRevocation';
import { UnmatchedIdentitySignals1765300000900 } from './migrations/1765300000900-unmatchedIdentitySignals';
import { ScimUsers1765300000950 } from './migrations/1765300000950-scimUsers';
import { ScimAgents1765300001000 } from './migrations/1765300001000-scimAgents';
import { GtrAssertionsUsed1765400000000 } from './migrations/1765400000000-gtrAssertionsUsed';
import { TokenExchange1765500000000 } from './migrations/1765500000000-tokenExchange';

/** This service's own Postgres schema. No other service reads it. */
export const PROVISIONER_SCHEMA = 'provisioner';

/** In order. A migration, once released, is never edited: add a new one. */
export const PROVISIONER_MIGRATIONS = [
  MessagingTables1763900000000,
  RegistryAndIssuer1763910000000,
  TokenStateNotifications1763920000000,
  SharedAuditTrail1765000000000,
  InboxDigest1765100000000,
  ScopeNarrowingEndsTokens1765100000001,
  SigningKeyRevocation1765100000002,
  UnmatchedIdentitySignals1765300000900,
  ScimUsers1765300000950,
  ScimAgents1765300001000,
  GtrAssertionsUsed1765400000000,
  TokenExchange1765500000000,
];

export const PROVISIONER_ENTITIES: DataSourceOptions['entities'] = [];
