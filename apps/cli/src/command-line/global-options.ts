import type { OptionSpec } from '../command';

/** The services the CLI talks to, by the name their URL option and variable carry. */
export const SERVICES = ['provisioner', 'baseliner', 'containment', 'review-scheduler'] as const;
export type Service = (typeof SERVICES)[number];

/** Options every command takes, before or after the command's words. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { kind: 'flag', description: 'print the result as JSON on stdout (messages and progress stay on stderr)' },
  token: {
    kind: 'value',
    value: 'JWT',
    description: 'bearer token for the APIs (AGENTGOV_TOKEN does the same without showing it in the process list)',
  },
  config: { kind: 'value', value: 'FILE', description: 'configuration file (default ~/.config/agentgov/config.json, or AGENTGOV_CONFIG)' },
  ...Object.fromEntries(
    SERVICES.map((service) => [`${service}-url`, { kind: 'value', value: 'URL', description: `base URL of the ${service} API` } satisfies OptionSpec]),
  ),
  help: { kind: 'flag', short: 'h', description: 'show help for the command' },
};

export interface GlobalOptions {
  json: boolean;
  token?: string;
  config?: string;
  urls: Partial<Record<Service, string>>;
  help: boolean;
}
