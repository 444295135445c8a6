import { messagingTablesMigration } from '@agentgov/messaging';

export const MessagingTables1763900000000 = messagingTablesMigration('review_scheduler', 1763900000000);
