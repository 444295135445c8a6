import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { AgentsWithoutActiveOwnerReportUseCase } from './agents-without-active-owner-report.usecase';
import { CertificationsReportUseCase } from './certifications-report.usecase';
import { CredentialsDueRotationReportUseCase } from './credentials-due-rotation-report.usecase';
import { OverdueReviewsReportUseCase } from './overdue-reviews-report.usecase';

const validatePeriod = createRequestValidator<{ from: string; to: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
  },
  'query',
);

/** Admins' reports. */
@ApiTags('reports')
@ApiBearerAuth()
@Controller()
export class ReportsController {
  constructor(
    private readonly overdueReviews: OverdueReviewsReportUseCase,
    private readonly certificationsReport: CertificationsReportUseCase,
    private readonly credentialsDueRotationReport: CredentialsDueRotationReportUseCase,
    private readonly agentsWithoutActiveOwner: AgentsWithoutActiveOwnerReportUseCase,
  ) {}

  /** Reviews past their due date and still undecided, oldest first. */
  @Get('reports/overdue')
  @Roles('admin')
  overdue() {
    return this.overdueReviews.execute();
  }

  /** Decisions per day and kind in [from, to). */
  @Get('reports/certifications')
  @Roles('admin')
  certifications(@Query() query: Record<string, unknown>) {
    const { from, to } = validatePeriod(query);
    return this.certificationsReport.execute({ from, to });
  }

  /** Live agents whose credentials are older than the policy's `credentialMaxAgeDays`: flagged for rotation. */
  @Get('reports/credentials-due-rotation')
  @Roles('admin')
  credentialsDueRotation() {
    return this.credentialsDueRotationReport.execute();
  }

  /** Live agents whose accountable owner is no longer active (terminated or suspended, as HR reported). */
  @Get('reports/agents-without-active-owner')
  @Roles('admin')
  ownerless() {
    return this.agentsWithoutActiveOwner.execute();
  }
}
