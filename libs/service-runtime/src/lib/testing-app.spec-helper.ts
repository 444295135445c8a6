import { INestApplication, LoggerService, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { configureBodyParsing, OWN_BODY_PARSING } from './bootstrap/body-parsing';
import { ServiceRuntimeModule, ServiceRuntimeModuleOptions } from './service-runtime.module';

export class RecordingLogger implements LoggerService {
  readonly lines: unknown[][] = [];
  log(...args: unknown[]): void {
    this.lines.push(['log', ...args]);
  }
  error(...args: unknown[]): void {
    this.lines.push(['error', ...args]);
  }
  warn(...args: unknown[]): void {
    this.lines.push(['warn', ...args]);
  }
  text(): string {
    return JSON.stringify(this.lines, (_key, value) => (value instanceof Error ? { message: value.message, stack: value.stack } : value));
  }
}

/** The runtime module plus some controllers, listening on a free port. */
export async function startTestApp(
  options: Partial<ServiceRuntimeModuleOptions> & { controllers?: Type<unknown>[] } = {},
): Promise<{ app: INestApplication; url: string; logger: RecordingLogger }> {
  const moduleRef = await Test.createTestingModule({
    imports: [ServiceRuntimeModule.forRoot({ serviceName: 'test-service', env: {}, ...options })],
    controllers: options.controllers ?? [],
  }).compile();
  const logger = new RecordingLogger();
  const app = moduleRef.createNestApplication({ logger, ...OWN_BODY_PARSING });
  configureBodyParsing(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  return { app, url: `http://127.0.0.1:${address.port}`, logger };
}
