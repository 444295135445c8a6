import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';

import { AuthConfig } from '../auth-config';
import { createTokenVerifier } from '../token-verifier';
import { AuthProblemFilter } from './auth-problem.filter';
import { BearerAuthGuard, TOKEN_VERIFIER } from './bearer-auth.guard';

export const AUTH_CONFIG = Symbol('agentgov:auth-config');

@Module({})
export class AuthModule {
  /**
   * Protects every route of the application with bearer JWTs (a global guard); mark exceptions @Public().
   * Import it once, in the root module.
   */
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: APP_FILTER, useClass: AuthProblemFilter },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: AUTH_CONFIG, useValue: config },
        { provide: TOKEN_VERIFIER, useFactory: (c: AuthConfig) => createTokenVerifier(c), inject: [AUTH_CONFIG] },
      ],
      exports: [AUTH_CONFIG, TOKEN_VERIFIER],
    };
  }
}
