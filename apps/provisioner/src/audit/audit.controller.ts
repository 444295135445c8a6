import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { AuditTrail } from './audit-trail';

interface AuditQuery {
  subjectId?: string;
  causeEventId?: string;
  afterSeq?: string;
  limit?: string;
}

const validateQuery = createRequestValidator<AuditQuery>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      subjectId: { type: 'string', maxLength: 256 },
      causeEventId: { type: 'string', maxLength: 200 },
      afterSeq: { type: 'string', pattern: '^[0-9]{1,18}$' },
      limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    },
  },
  'query',
);

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditTrail) {}

  /** Audit records, oldest first, by subject or by causing event; page with afterSeq. */
  @Get()
  @Roles('admin', 'soc-analyst')
  async list(@Query() query: Record<string, unknown>) {
    const q = validateQuery(query);
    const limit = Math.min(Number(q.limit ?? 100), 1000);
    const items = await this.audit.find({ subjectId: q.subjectId, causeEventId: q.causeEventId, afterSeq: q.afterSeq, limit });
    return { items, nextAfterSeq: items.length === limit ? items[items.length - 1].seq : null };
  }

  /** Recomputes the hash chain over every record. */
  @Get('verify')
  @Roles('admin')
  verify() {
    return this.audit.verify();
  }
}
