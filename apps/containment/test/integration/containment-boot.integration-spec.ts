import { describeServiceBoot } from '@agentgov/test-support';

describeServiceBoot('containment');
