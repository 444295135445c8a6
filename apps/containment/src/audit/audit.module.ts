import { Global, Module } from '@nestjs/common';

import { AuditLog } from './audit-log';

/** The tamper-evident audit log every feature appends to, in its own transaction. */
@Global()
@Module({
  providers: [AuditLog],
  exports: [AuditLog],
})
export class AuditModule {}
