import { Controller, DynamicModule, Get, Global, Module, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

interface AuditQueryParams {
  subjectType?: string;
  subjectId?: string;
  causeEventId?: string;
  afterSeq?: string;
  limit?: string;
}

const validateQuery = createRequestValidator<AuditQueryParams>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      subjectType: { type: 'string', maxLength: 64 },
      subjectId: { type: 'string', maxLength: 256 },
      causeEventId: { type: 'string', maxLength: 200 },
      afterSeq: { type: 'string', pattern: '^[0-9]{1,18}$' },
      limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
    },
  },
  'query',
);

/** The same audit API in every service that records decisions. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
class AuditController {
  constructor(
    private readonly chain: AuditChain,
    private readonly dataSource: DataSource,
  ) {}

  /** Audit records, oldest first, by subject or by causing event; page with afterSeq. */
  @Get()
  @Roles('admin', 'soc-analyst')
  async list(@Query() query: Record<string, unknown>) {
    const q = validateQuery(query);
    const limit = Math.min(Number(q.limit ?? 100), 1000);
    const items = await this.chain.find(this.dataSource.manager, { ...q, limit });
    return { items, nextAfterSeq: items.length === limit ? items[items.length - 1].seq : null };
  }

  /** Recomputes the hash chain over every record. */
  @Get('verify')
  @Roles('admin')
  verify() {
    return this.chain.verify(this.dataSource.manager);
  }
}

/** The service's audit chain (in its own schema) for its use cases, and the audit API. */
@Global()
@Module({})
export class AuditTrailModule {
  static forSchema(schema: string): DynamicModule {
    return {
      module: AuditTrailModule,
      controllers: [AuditController],
      providers: [{ provide: AuditChain, useValue: new AuditChain(schema) }],
      exports: [AuditChain],
    };
  }
}
