import type { Server } from 'http';

import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import { createLogger, Logger, LogLevel } from '@agentgov/telemetry';

import { ReadinessRegistry } from '../health/readiness.registry';
import { JsonNestLogger } from '../logging/json-nest-logger';
import { registerEventLoopMetrics } from '../metrics/event-loop-metrics';
import { httpMetricsMiddleware } from '../metrics/http-metrics.middleware';
import { configureBodyParsing, OWN_BODY_PARSING } from './body-parsing';

export const OPENAPI_JSON_PATH = '/openapi.json';
export const OPENAPI_UI_PATH = '/docs';
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface BootstrapServiceOptions {
  serviceName: string;
  /** The app's root module; it must import ServiceRuntimeModule.forRoot(...). */
  module: Type<unknown> | DynamicModule;
  port: number;
  /** Interface to bind; all interfaces by default, as in a container. */
  host?: string;
  logLevel?: LogLevel;
  /** After a shutdown signal, the process exits non-zero if closing has not finished within this time. */
  shutdownTimeoutMs: number;
  openApi?: { title?: string; description?: string; version?: string };
  /** A ready-made logger (tests); otherwise one is created for the service. */
  logger?: Logger;
}

export interface RunningService {
  readonly app: INestApplication;
  readonly url: string;
  readonly logger: Logger;
}

/**
 * Creates, configures and starts one service's HTTP application: JSON logs, request metrics, OpenAPI at
 * /openapi.json and /docs, and a graceful shutdown on SIGTERM/SIGINT bounded by shutdownTimeoutMs.
 */
export async function bootstrapService(options: BootstrapServiceOptions): Promise<RunningService> {
  const logger = options.logger ?? createLogger({ serviceName: options.serviceName, level: options.logLevel });
  try {
    return await start(options, logger);
  } catch (error) {
    logger.fatal({ err: error }, `${options.serviceName} failed to start`);
    logger.flush();
    throw error;
  }
}

async function start(options: BootstrapServiceOptions, logger: Logger): Promise<RunningService> {
  const app = await NestFactory.create(options.module, {
    logger: new JsonNestLogger(logger),
    // Errors during start-up reach the caller (and its log line) instead of aborting the process.
    abortOnError: false,
    ...OWN_BODY_PARSING,
  });
  configureBodyParsing(app);
  const http = app.getHttpAdapter().getInstance();
  http.disable('x-powered-by');
  // ETags cost a hash of every JSON answer; API clients here never send If-None-Match.
  http.set('etag', false);
  app.use(httpMetricsMiddleware());
  // Answers carry tokens, client secrets, owners' personal data and incidents: no cache or proxy keeps them. A route
  // whose answer is public (the issuer's discovery and keys) sets its own Cache-Control, which replaces this one.
  app.use((_request: unknown, response: { setHeader(name: string, value: string): void }, next: () => void) => {
    response.setHeader('Cache-Control', 'no-store');
    next();
  });
  registerEventLoopMetrics();
  setUpOpenApi(app, options);

  const readiness = app.get(ReadinessRegistry, { strict: false });
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
  armShutdownDeadline(app, readiness, logger, options);

  await app.listen(options.port, options.host ?? '0.0.0.0');
  const address = (app.getHttpServer() as Server).address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ port, readinessChecks: readiness.names() }, `${options.serviceName} listening on port ${port}`);
  return { app, url, logger };
}

function setUpOpenApi(app: INestApplication, options: BootstrapServiceOptions): void {
  const config = new DocumentBuilder()
    .setTitle(options.openApi?.title ?? options.serviceName)
    .setDescription(options.openApi?.description ?? `${options.serviceName} API`)
    .setVersion(options.openApi?.version ?? '0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(OPENAPI_UI_PATH.slice(1), app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH.slice(1),
    raw: ['json'],
  });
}

/**
 * Nest runs the module shutdown hooks (where Kafka consumers drain) and then exits 0. Here we only stop
 * accepting connections and report not-ready at once, and put a deadline on the whole thing: a hook that
 * hangs must not keep a pod in Terminating forever.
 */
function armShutdownDeadline(app: INestApplication, readiness: ReadinessRegistry, logger: Logger, options: BootstrapServiceOptions): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    SHUTDOWN_SIGNALS.forEach((s) => process.removeListener(s, onSignal));
    logger.info({ signal, timeoutMs: options.shutdownTimeoutMs }, `${options.serviceName} shutting down`);
    readiness.markShuttingDown();
    const server = app.getHttpServer() as Server;
    server.close();
    server.closeIdleConnections();
    setTimeout(() => {
      logger.error(
        { signal, timeoutMs: options.shutdownTimeoutMs },
        `${options.serviceName} did not shut down within ${options.shutdownTimeoutMs} ms; exiting`,
      );
      logger.flush();
      process.exit(1);
    }, options.shutdownTimeoutMs);
  };
  SHUTDOWN_SIGNALS.forEach((signal) => process.on(signal, onSignal));
}
