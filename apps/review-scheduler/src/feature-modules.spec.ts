import { Global, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { OutboxWriter } from '@agentgov/messaging';
import { HANDLES_EVENT } from '@agentgov/service-infrastructure';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { CampaignsModule } from './campaigns/campaigns.module';
import { ClockModule } from './clock/clock.module';
import { ReviewClock } from './clock/review-clock';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { RegistryModule } from './registry/registry.module';
import { ReportsModule } from './reports/reports.module';
import { ReviewsModule } from './reviews/reviews.module';
import { ReviewTicker } from './schedule/review-ticker';
import { ScheduleModule } from './schedule/schedule.module';

/** What ServiceInfrastructureModule provides globally, without a database or a broker. */
@Global()
@Module({
  providers: [
    { provide: AuditChain, useValue: {} },
    { provide: DataSource, useValue: {} },
    { provide: OutboxWriter, useValue: {} },
    { provide: SERVICE_ENV, useValue: { CLOCK_CONTROL: true, REVIEW_POLICY: '{}', REVIEW_TICK_MS: 5000, REVIEW_BATCH_SIZE: 200 } },
  ],
  exports: [AuditChain, DataSource, OutboxWriter, SERVICE_ENV],
})
class FakeInfrastructureModule {}

describe('the feature modules', () => {
  async function compile() {
    return Test.createTestingModule({
      imports: [
        CampaignsModule,
        ClockModule,
        DiscoveryModule,
        FakeInfrastructureModule,
        LifecycleModule,
        RegistryModule,
        ReportsModule,
        ReviewsModule,
        ScheduleModule,
      ],
    }).compile();
  }

  it('share one clock, so moving it moves every feature’s now', async () => {
    const app = await compile();
    const discovery = app.get(DiscoveryService);
    const clocks = new Set(
      discovery
        .getProviders()
        .filter((w) => w.instance instanceof ReviewClock)
        .map((w) => w.instance),
    );
    expect(clocks.size).toBe(1);
    expect(discovery.getProviders().filter((w) => w.instance instanceof ReviewTicker)).toHaveLength(1);
  });

  it('consume each topic with exactly one handler', async () => {
    const app = await compile();
    const scanner = new MetadataScanner();
    const topics: string[] = [];
    for (const wrapper of app.get(DiscoveryService).getProviders()) {
      const instance = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance);
      for (const name of scanner.getAllMethodNames(prototype)) {
        const topic = Reflect.getMetadata(HANDLES_EVENT, prototype[name]);
        if (topic) topics.push(topic);
      }
    }
    expect(topics.sort()).toEqual(['agent.lifecycle.v1', 'agent.usage.v1', 'containment.action.v1', 'identity.lifecycle.v1']);
  });
});
