import { messagingTablesMigration } from '@agentgov/messaging';

export const MessagingTables1763900000000 = messagingTablesMigration('containment', 1763900000000);
