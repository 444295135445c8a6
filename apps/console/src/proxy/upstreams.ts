import { SERVICE_NAMES, ServiceName } from '@agentgov/contracts';

import { ConsoleEnv } from '../config/console.env';

/** The services the console forwards to, by the name in its path: /api/<service>/… */
export const UPSTREAM_SERVICES: readonly ServiceName[] = SERVICE_NAMES;

export function upstreamUrls(env: ConsoleEnv): ReadonlyMap<string, string> {
  const urls: Record<ServiceName, string> = {
    provisioner: env.PROVISIONER_URL,
    'behavior-baseliner': env.BEHAVIOR_BASELINER_URL,
    containment: env.CONTAINMENT_URL,
    'review-scheduler': env.REVIEW_SCHEDULER_URL,
  };
  return new Map(UPSTREAM_SERVICES.map((service) => [service, urls[service].replace(/\/+$/, '')]));
}
