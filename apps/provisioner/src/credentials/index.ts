export { generateClientSecret, hashClientSecret, verifyClientSecret } from './client-secret';
export { CredentialsModule } from './credentials.module';
export { IntrospectTokenUseCase } from './introspect-token.usecase';
export { RevokeAgentTokensUseCase } from './revoke-agent-tokens.usecase';
