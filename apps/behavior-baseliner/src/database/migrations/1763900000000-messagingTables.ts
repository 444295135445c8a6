import { messagingTablesMigration } from '@agentgov/messaging';

export const MessagingTables1763900000000 = messagingTablesMigration('behavior_baseliner', 1763900000000);
