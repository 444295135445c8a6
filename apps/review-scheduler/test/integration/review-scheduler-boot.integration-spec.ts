import { describeServiceBoot } from '@agentgov/test-support';

describeServiceBoot('review-scheduler');
