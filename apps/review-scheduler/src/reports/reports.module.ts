import { Module } from '@nestjs/common';

import { ClockModule } from '../clock/clock.module';
import { ReviewsModule } from '../reviews/reviews.module';
import { AgentsWithoutActiveOwnerReportUseCase } from './agents-without-active-owner-report.usecase';
import { CertificationsReportUseCase } from './certifications-report.usecase';
import { CredentialsDueRotationReportUseCase } from './credentials-due-rotation-report.usecase';
import { OverdueReviewsReportUseCase } from './overdue-reviews-report.usecase';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';

/** Admins' reports: overdue reviews, decisions per day, credentials due rotation, agents without an active owner. */
@Module({
  imports: [ClockModule, ReviewsModule],
  controllers: [ReportsController],
  providers: [
    AgentsWithoutActiveOwnerReportUseCase,
    CertificationsReportUseCase,
    CredentialsDueRotationReportUseCase,
    OverdueReviewsReportUseCase,
    ReportsRepository,
  ],
})
export class ReportsModule {}
