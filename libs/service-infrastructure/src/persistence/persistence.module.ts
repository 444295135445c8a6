import { DynamicModule, Global, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { createServiceDataSource, pingDatabase, ServiceDataSourceOptions } from '@agentgov/persistence';
import { ReadinessRegistry } from '@agentgov/service-runtime';

export const PERSISTENCE_OPTIONS = Symbol('PERSISTENCE_OPTIONS');

export interface PersistenceModuleAsyncOptions {
  useFactory: (...args: any[]) => ServiceDataSourceOptions | Promise<ServiceDataSourceOptions>;
  inject?: any[];
}

/** Opens the pool at start-up, answers readiness with a round trip, closes after everything else stopped. */
@Injectable()
class DataSourceLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    this.readiness.register('database', () => pingDatabase(this.dataSource));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Global()
@Module({})
export class PersistenceModule {
  static forRootAsync(options: PersistenceModuleAsyncOptions): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        { provide: PERSISTENCE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: DataSource,
          inject: [PERSISTENCE_OPTIONS],
          useFactory: async (config: ServiceDataSourceOptions) => initializeWithRetry(createServiceDataSource(config)),
        },
        DataSourceLifecycle,
      ],
      exports: [DataSource],
    };
  }
}

/** Postgres may still be starting when the pod does; a few quick retries avoid a crash loop for that. */
async function initializeWithRetry(dataSource: DataSource, attempts = 10): Promise<DataSource> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.initialize();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 3000)));
    }
  }
}
