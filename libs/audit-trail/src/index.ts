export * from './audit-chain';
export * from './audit-entry';
export * from './audit-table.sql';
