import { unifyAuditTableMigration } from '@agentgov/audit-trail';

/** The audit log takes the shape every service shares (a reason column; rows already written keep their hashes). */
export const SharedAuditTrail1765000000000 = unifyAuditTableMigration('provisioner', 'provisioner', 1765000000000);
