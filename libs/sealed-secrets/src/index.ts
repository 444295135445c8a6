export * from './key-encryption';
