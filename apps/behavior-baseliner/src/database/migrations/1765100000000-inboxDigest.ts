import { inboxDigestMigration } from '@agentgov/messaging';

/** The inbox remembers each event's content, so a reused id with other content is dead-lettered, not dropped. */
export const InboxDigest1765100000000 = inboxDigestMigration('behavior_baseliner', 1765100000000);
