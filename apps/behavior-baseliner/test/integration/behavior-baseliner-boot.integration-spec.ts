import { describeServiceBoot } from '@agentgov/test-support';

describeServiceBoot('behavior-baseliner');
