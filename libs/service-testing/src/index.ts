export * from './service-harness';
export * from './stack';
export * from './otlp-trace-receiver';
