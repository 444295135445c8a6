import { messagingTablesMigration } from '@agentgov/messaging';

export const MessagingTables1763900000000 = messagingTablesMigration('provisioner', 1763900000000);
