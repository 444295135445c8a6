import { messagingTablesMigration } from '@agentgov/persistence';

export const MessagingTables1763900000000 = messagingTablesMigration('review_scheduler', 1763900000000);
