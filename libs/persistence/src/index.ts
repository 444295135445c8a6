export * from './messaging-tables.migration';
export * from './persistence.module';
export * from './service-data-source';
