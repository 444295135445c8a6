import { Module } from '@nestjs/common';

import { ClockModule } from '../clock/clock.module';
import { RegistryModule } from '../registry/registry.module';
import { ReviewsModule } from '../reviews/reviews.module';
import { CampaignProgressUseCase } from './campaign-progress.usecase';
import { CampaignsController } from './campaigns.controller';
import { CampaignsRepository } from './campaigns.repository';
import { StartCampaignUseCase } from './start-campaign.usecase';

/** Certification campaigns: many agents put up for review at once, and their progress. */
@Module({
  imports: [ClockModule, RegistryModule, ReviewsModule],
  controllers: [CampaignsController],
  providers: [CampaignProgressUseCase, CampaignsRepository, StartCampaignUseCase],
})
export class CampaignsModule {}
