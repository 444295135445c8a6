import { messagingTablesMigration } from '@agentgov/persistence';

export const MessagingTables1763900000000 = messagingTablesMigration('behavior_baseliner', 1763900000000);
