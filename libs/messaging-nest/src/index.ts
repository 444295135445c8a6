export * from './handles-event.decorator';
export * from './messaging.module';
