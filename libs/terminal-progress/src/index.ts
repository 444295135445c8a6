export * from './terminal-progress';
