import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';

import { getActiveTelemetry } from '@agentgov/telemetry';

import { HealthController } from './health/health.controller';
import { ReadinessCheck, ReadinessCheckOptions, ReadinessRegistry } from './health/readiness.registry';
import { MetricsController } from './metrics/metrics.controller';
import { ProblemDetailsFilter } from './problem/problem-details.filter';
import { StorableTextPipe } from './validation/storable-text.pipe';

/** Injection token of the service's validated, frozen environment (the result of loadEnv). */
export const SERVICE_ENV = Symbol('SERVICE_ENV');
export const SERVICE_NAME = Symbol('SERVICE_NAME');

export interface NamedReadinessCheck extends ReadinessCheckOptions {
  name: string;
  check: ReadinessCheck;
}

export interface ServiceRuntimeModuleOptions {
  serviceName: string;
  env: Readonly<Record<string, unknown>>;
  /** Checks to register at start-up; libraries may also inject ReadinessRegistry and register their own. */
  readinessChecks?: readonly NamedReadinessCheck[];
}

const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/**
 * Health and metrics endpoints, problem-details errors, refusal of unstorable text, the readiness registry and the
 * service's env.
 * Global, so features inject ReadinessRegistry or SERVICE_ENV without importing it again.
 */
@Global()
@Module({})
export class ServiceRuntimeModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @Inject(READINESS_CHECKS) private readonly checks: readonly NamedReadinessCheck[],
  ) {}

  static forRoot(options: ServiceRuntimeModuleOptions): DynamicModule {
    return {
      module: ServiceRuntimeModule,
      controllers: [HealthController, MetricsController],
      providers: [
        ReadinessRegistry,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useClass: StorableTextPipe },
        { provide: READINESS_CHECKS, useValue: options.readinessChecks ?? [] },
        { provide: SERVICE_ENV, useValue: options.env },
        { provide: SERVICE_NAME, useValue: options.serviceName },
      ],
      exports: [ReadinessRegistry, SERVICE_ENV, SERVICE_NAME],
    };
  }

  onModuleInit(): void {
    for (const { name, check, ...options } of this.checks) this.readiness.register(name, check, options);
  }

  /** Last of the shutdown hooks: flush the spans of the shutdown itself. */
  async onApplicationShutdown(): Promise<void> {
    await getActiveTelemetry()?.shutdown();
  }
}
