import { unifyAuditTableMigration } from '@agentgov/audit-trail';

/** The audit log takes the shape every service shares (seq, actor type, cause; rows already written keep their hashes). */
export const SharedAuditTrail1765000000000 = unifyAuditTableMigration('containment', 'containment', 1765000000000);
