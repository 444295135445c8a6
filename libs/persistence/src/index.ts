export * from './pg-notification-listener';
export * from './service-data-source';
export * from './sql-identifier';
export * from './sql-result';
