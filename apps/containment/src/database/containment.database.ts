import { DataSourceOptions } from 'typeorm';

import { MessagingTables1763900000000 } from './migrations/1763900000000-messagingTables';
import { Containment1764100000000 } from './migrations/1764100000000-containment';
import { IncidentReleasedAt1764100000001 } from './migrations/1764100000001-incidentReleasedAt';
import { DeliveryTraceContext1764100000002 } from './migrations/1764100000002-deliveryTraceContext';
import { SharedAuditTrail1765000000000 } from './migrations/1765000000000-sharedAuditTrail';
import { InboxDigest1765100000000 } from './migrations/1765100000000-inboxDigest';
import { ActionSequence1765100000001 } from './migrations/1765100000001-actionSequence';
import { SeparationOfDuties1765100000002 } from './migrations/1765100000002-separationOfDuties';
import { SsfStreams1765300000000 } from './migrations/1765300000000-ssfStreams';

/** This service's own Postgres schema. No other service reads it. */
export const CONTAINMENT_SCHEMA = 'containment';

/** In order. A migration, once released, is never edited: add a new one. */
export const CONTAINMENT_MIGRATIONS = [
  MessagingTables1763900000000,
  Containment1764100000000,
  IncidentReleasedAt1764100000001,
  DeliveryTraceContext1764100000002,
  SharedAuditTrail1765000000000,
  InboxDigest1765100000000,
  ActionSequence1765100000001,
  SeparationOfDuties1765100000002,
  SsfStreams1765300000000,
];

export const CONTAINMENT_ENTITIES: DataSourceOptions['entities'] = [];
