import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { CommandFailure, UsageError } from '../cli.errors';
import { GlobalOptions, Service, SERVICES } from '../command-line/global-options';

type Env = Readonly<Record<string, string | undefined>>;

export interface OidcSettings {
  /** The OpenID issuer `agentgov login` signs in at; none configured: login says how to configure one. */
  issuer?: string;
  clientId: string;
  scope: string;
}

/** Where the CLI finds the services and the sign-in, after flags, environment and configuration file. */
export interface Settings {
  urls: Record<Service, string>;
  oidc: OidcSettings;
  /** ~/.config/agentgov (or $XDG_CONFIG_HOME/agentgov): the configuration file and the stored credentials. */
  configDir: string;
}

export const DEFAULT_URLS: Readonly<Record<Service, string>> = {
  provisioner: 'http://127.0.0.1:3001',
  baseliner: 'http://127.0.0.1:3002',
  containment: 'http://127.0.0.1:3003',
  'review-scheduler': 'http://127.0.0.1:3004',
};
export const DEFAULT_OIDC_CLIENT_ID = 'agentgov-cli';
export const DEFAULT_OIDC_SCOPE = 'openid';

/** AGENTGOV_PROVISIONER_URL, AGENTGOV_REVIEW_SCHEDULER_URL, ... */
export const urlVariable = (service: Service) => `AGENTGOV_${service.toUpperCase().replace(/-/g, '_')}_URL`;

interface ConfigFile {
  urls?: Partial<Record<Service, string>>;
  oidc?: Partial<OidcSettings>;
}

export function configDirOf(env: Env): string {
  return join(env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config'), 'agentgov');
}

function httpUrl(value: string, where: string, fail: (message: string) => Error, trimSlash = true): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail(`${where} is not a URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`${where} must be an http or https URL, not "${value}"`);
  if (url.username || url.password) throw fail(`${where} must not carry credentials`);
  return trimSlash ? value.replace(/\/+$/, '') : value;
}

/** The configuration file, checked: unknown settings are refused so that a misspelt one does not go unnoticed. */
function readConfigFile(path: string, required: boolean, readFile: (path: string) => string): ConfigFile {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CommandFailure(`cannot read the configuration file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CommandFailure(`the configuration file ${path} is not valid JSON`);
  }
  const problem = (what: string) => new CommandFailure(`the configuration file ${path}: ${what}`);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw problem('must hold a JSON object');
  const config = parsed as Record<string, unknown>;
  for (const key of Object.keys(config)) if (key !== 'urls' && key !== 'oidc') throw problem(`unknown setting "${key}" (known: urls, oidc)`);
  const section = (name: 'urls' | 'oidc', keys: readonly string[]) => {
    const value = config[name];
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw problem(`"${name}" must be an object`);
    for (const [key, v] of Object.entries(value)) {
      if (!keys.includes(key)) throw problem(`unknown setting "${name}.${key}" (known: ${keys.join(', ')})`);
      if (typeof v !== 'string') throw problem(`"${name}.${key}" must be a string`);
    }
    return value as Record<string, string>;
  };
  return { urls: section('urls', SERVICES), oidc: section('oidc', ['issuer', 'clientId', 'scope']) };
}

/**
 * Each setting from, in order: its flag, its environment variable, the configuration file (--config, else
 * AGENTGOV_CONFIG, else ~/.config/agentgov/config.json if there is one), the default.
 */
export function loadSettings(globals: GlobalOptions, env: Env, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Settings {
  const configDir = configDirOf(env);
  const explicit = globals.config ?? env['AGENTGOV_CONFIG'];
  const file = readConfigFile(explicit ?? join(configDir, 'config.json'), explicit !== undefined, readFile);
  const configFailure = (message: string) => new CommandFailure(message);
  const urls = {} as Record<Service, string>;
  for (const service of SERVICES) {
    const flag = globals.urls[service];
    const variable = env[urlVariable(service)];
    const configured = file.urls?.[service];
    if (flag !== undefined) urls[service] = httpUrl(flag, `--${service}-url`, (m) => new UsageError(m));
    else if (variable) urls[service] = httpUrl(variable, urlVariable(service), configFailure);
    else if (configured) urls[service] = httpUrl(configured, `urls.${service} in the configuration file`, configFailure);
    else urls[service] = DEFAULT_URLS[service];
  }
  const issuer = env['AGENTGOV_OIDC_ISSUER'] || file.oidc?.issuer;
  return {
    urls,
    oidc: {
      // An issuer identifier is compared as written (OpenID Connect Discovery 1.0 §4.3): no slash is trimmed.
      ...(issuer ? { issuer: httpUrl(issuer, 'the OpenID issuer (AGENTGOV_OIDC_ISSUER or oidc.issuer)', configFailure, false) } : {}),
      clientId: env['AGENTGOV_OIDC_CLIENT_ID'] || file.oidc?.clientId || DEFAULT_OIDC_CLIENT_ID,
      scope: env['AGENTGOV_OIDC_SCOPE'] || file.oidc?.scope || DEFAULT_OIDC_SCOPE,
    },
    configDir,
  };
}
