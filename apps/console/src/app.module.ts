import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';

import { ServiceRuntimeModule } from '@agentgov/service-runtime';

import { CONSOLE_SERVICE_NAME, ConsoleEnv } from './config/console.env';
import { ApiProxy } from './proxy/api-proxy';
import { ApiProxyController } from './proxy/api-proxy.controller';
import { SecurityHeadersMiddleware } from './security/security-headers.middleware';
import { ClientConfigController } from './site/client-config.controller';
import { SiteMiddleware, STATIC_SITE } from './site/site.middleware';
import { StaticSite } from './site/static-site';

/**
 * The console's server: the built single-page app, its /config.json, and the same-origin proxy to the services. It
 * authenticates nobody itself: the services verify the bearer token the browser holds.
 */
@Module({})
export class AppModule implements NestModule {
  static forRoot(env: ConsoleEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ serviceName: CONSOLE_SERVICE_NAME, env })],
      controllers: [ClientConfigController, ApiProxyController],
      providers: [ApiProxy, { provide: STATIC_SITE, useValue: new StaticSite(env.CONSOLE_STATIC_DIR) }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SecurityHeadersMiddleware, SiteMiddleware).forRoutes('{*path}');
  }
}
