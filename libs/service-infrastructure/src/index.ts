export * from './service-infrastructure.module';
