import { DataSourceOptions } from 'typeorm';

import { MessagingTables1763900000000 } from './migrations/1763900000000-messagingTables';
import { ScoringState1763930000000 } from './migrations/1763930000000-scoringState';
import { KnownAgentCohorts1764000000000 } from './migrations/1764000000000-knownAgentCohorts';
import { InboxDigest1765100000000 } from './migrations/1765100000000-inboxDigest';
import { KnownAgentsEventTime1765100000001 } from './migrations/1765100000001-knownAgentsEventTime';
import { KeyedStateWake1765200000000 } from './migrations/1765200000000-keyedStateWake';
import { UsageHistory1766100000000 } from './migrations/1766100000000-usageHistory';

/** This service's own Postgres schema. No other service reads it. */
export const BEHAVIOR_BASELINER_SCHEMA = 'behavior_baseliner';

/** In order. A migration, once released, is never edited: add a new one. */
export const BEHAVIOR_BASELINER_MIGRATIONS = [
  MessagingTables1763900000000,
  ScoringState1763930000000,
  KnownAgentCohorts1764000000000,
  InboxDigest1765100000000,
  KnownAgentsEventTime1765100000001,
  KeyedStateWake1765200000000,
  UsageHistory1766100000000,
];

export const BEHAVIOR_BASELINER_ENTITIES: DataSourceOptions['entities'] = [];
