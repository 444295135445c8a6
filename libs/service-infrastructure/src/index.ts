export * from './messaging/handles-event.decorator';
export * from './service-infrastructure.module';
export * from './service-wiring';
