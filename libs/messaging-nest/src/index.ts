export * from './handles-event.decorator';
export * from './messaging.module';
export { OutboxWriter } from '@agentgov/messaging';
