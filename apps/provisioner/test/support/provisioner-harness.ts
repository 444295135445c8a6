import { ServiceHarness } from '@agentgov/service-testing';

/** The provisioner as a real process; see ServiceHarness. */
export class ProvisionerHarness extends ServiceHarness {
  constructor(extraEnv: Record<string, string> = {}) {
    super('provisioner', { env: extraEnv });
  }
}
