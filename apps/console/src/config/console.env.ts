import { claimPath, parseRoleMap } from '@agentgov/auth';
import { env, ENV_CHECKS, EnvOf, LOG_LEVELS, NODE_ENVS, RawEnv } from '@agentgov/service-runtime';

export const CONSOLE_SERVICE_NAME = 'console';

const serviceUrl = (service: string, port: number) =>
  env
    .url({ protocols: ['http', 'https'] })
    .default(`http://127.0.0.1:${port}`)
    .describe(`Base URL of the ${service} API, which /api/${service}/ forwards to.`);

/**
 * The console's server: where it listens, the single-page app it serves, the OpenID Connect settings it hands the
 * browser (/config.json) and the four services it forwards /api/<service>/ to. It needs no database, broker or key.
 */
export const CONSOLE_ENV = {
  NODE_ENV: env.enumOf(NODE_ENVS).default('production').describe('Runtime mode.'),
  HTTP_PORT: env.port().default(3005).describe('Port the console is served on.'),
  LOG_LEVEL: env.enumOf(LOG_LEVELS).default('info').describe('Minimum level of the JSON logs on stdout.'),
  SHUTDOWN_TIMEOUT_MS: env
    .int({ min: 100, max: 600_000 })
    .default(10_000)
    .describe('Grace period for a clean shutdown after SIGTERM/SIGINT before the process exits non-zero.'),
  CONSOLE_STATIC_DIR: env
    .string()
    .default('apps/console/dist')
    .describe('The built single-page app (`vite build` of apps/console/web); it must hold index.html.'),
  AUTH_OIDC_ISSUER: env
    .url({ protocols: ['http', 'https'] })
    .describe(
      'The OpenID Connect issuer people sign in with (the same AUTH_OIDC_ISSUER the services trust); the browser discovers its endpoints, and the Content-Security-Policy allows it.',
    ),
  AUTH_OIDC_ROLES_CLAIM: env
    .string({ pattern: /^[\x21-\x7E]+$/ })
    .default('roles')
    .describe("Where the IdP role names are in the access token (the services' AUTH_OIDC_ROLES_CLAIM): which pages the console shows."),
  AUTH_OIDC_ROLE_MAP: env
    .string()
    .describe("IdP role to role, as the services' AUTH_OIDC_ROLE_MAP: the console shows what the roles allow, the services decide."),
  AUTH_OIDC_SUBJECT_CLAIM: env
    .string({ pattern: /^[\x21-\x7E]+$/ })
    .default('sub')
    .describe(
      "The claim the services record as the person (the services' AUTH_OIDC_SUBJECT_CLAIM): the console recognises the signed-in person's own decisions by it.",
    ),
  CONSOLE_OIDC_CLIENT_ID: env.string().default('agentgov-console').describe('The public client the console signs in as (authorization code with PKCE).'),
  CONSOLE_OIDC_SCOPES: env
    .string({ pattern: /^openid( [\x21\x23-\x5B\x5D-\x7E]+)*$/ })
    .default('openid profile')
    .describe('Scopes the console asks for, space-separated, starting with openid.'),
  PROVISIONER_URL: serviceUrl('provisioner', 3001),
  BEHAVIOR_BASELINER_URL: serviceUrl('behavior-baseliner', 3002),
  CONTAINMENT_URL: serviceUrl('containment', 3003),
  REVIEW_SCHEDULER_URL: serviceUrl('review-scheduler', 3004),
  [ENV_CHECKS]: [checkOidcEnv],
};

/** The role map and claim paths follow the services' rules (libs/auth), so the console reads them as they do. */
function checkOidcEnv(source: RawEnv): void {
  parseRoleMap(source['AUTH_OIDC_ROLE_MAP'] ?? '', 'AUTH_OIDC_ROLE_MAP');
  if (source['AUTH_OIDC_ROLES_CLAIM']) claimPath(source['AUTH_OIDC_ROLES_CLAIM'], 'AUTH_OIDC_ROLES_CLAIM');
  if (source['AUTH_OIDC_SUBJECT_CLAIM']) claimPath(source['AUTH_OIDC_SUBJECT_CLAIM'], 'AUTH_OIDC_SUBJECT_CLAIM');
}

export type ConsoleEnv = EnvOf<typeof CONSOLE_ENV>;
