export * from './messaging-tables.migration';
export * from './persistence.module';
export * from './pg-notification-listener';
export * from './service-data-source';
export * from './sql-result';
