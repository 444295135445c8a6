export * from './kafka-test-helpers';
export * from './local-broker';
export * from './test-infrastructure';
export * from './test-topics';
export * from './seeded-random';
export * from './spawn-service';
export * from './service-boot.suite';
export * from './keycloak-realm';
