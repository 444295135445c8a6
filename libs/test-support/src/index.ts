export * from './kafka-test-helpers';
export * from './test-infrastructure';
export * from './spawn-service';
export * from './service-boot.suite';
