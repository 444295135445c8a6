export * from './service-harness';
export * from './stack';
export * from './connectors-file';
export * from './recording-receiver';
export * from './fixtures';
export * from './otlp-trace-receiver';
export * from './console-server';
export * from './event-stream-reader';
