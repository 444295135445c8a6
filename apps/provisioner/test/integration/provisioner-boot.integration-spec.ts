import { describeServiceBoot } from '@agentgov/test-support';

describeServiceBoot('provisioner');
