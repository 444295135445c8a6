import { DataSourceOptions } from 'typeorm';

import { MessagingTables1763900000000 } from './migrations/1763900000000-messagingTables';
import { Reviews1764200000000 } from './migrations/1764200000000-reviews';
import { UsageAndCampaigns1764200000001 } from './migrations/1764200000001-usageAndCampaigns';
import { CredentialAge1764200000002 } from './migrations/1764200000002-credentialAge';
import { AuditTrail1765000000000 } from './migrations/1765000000000-auditTrail';
import { InboxDigest1765100000000 } from './migrations/1765100000000-inboxDigest';

/** This service's own Postgres schema. No other service reads it. */
export const REVIEW_SCHEDULER_SCHEMA = 'review_scheduler';

/** In order. A migration, once released, is never edited: add a new one. */
export const REVIEW_SCHEDULER_MIGRATIONS = [
  MessagingTables1763900000000,
  Reviews1764200000000,
  UsageAndCampaigns1764200000001,
  CredentialAge1764200000002,
  AuditTrail1765000000000,
  InboxDigest1765100000000,
];

export const REVIEW_SCHEDULER_ENTITIES: DataSourceOptions['entities'] = [];
