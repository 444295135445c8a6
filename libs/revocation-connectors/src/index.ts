export type {
  BuiltinIssuerConfig,
  ConnectorConfig,
  GlobalTokenRevocationConfig,
  GlobalTokenRevocationSubjectFormat,
  GlobalTokenRevocationSubjectOf,
  KeycloakAgentIdentity,
  KeycloakConfig,
  OAuthClientAuthMethod,
  OAuthRevocationConfig,
  SsfConfig,
  SsfEvent,
  WebhookConfig,
} from './config/connector-config';
export { DEFAULT_TIMEOUT_MS } from './config/connector-config';
export { parseConnectorsConfig } from './config/parse-connectors-config';
export { NOT_REGISTERED_AT_ISSUER } from './connectors/builtin-issuer.connector';
export { NOTHING_TO_REVOKE_AT_RECEIVER, OWNER_NOT_OFFBOARDED } from './connectors/global-token-revocation.connector';
export type { SubjectIdentifier } from './connectors/global-token-revocation.connector';
export { NO_MATCHING_CLIENT_OR_USER } from './connectors/keycloak/keycloak.connector';
export { NO_TOKENS_ON_RECORD } from './connectors/oauth-revocation.connector';
export { WEBHOOK_EVENT_TYPE } from './connectors/webhook.connector';
export type { UniversalLogoutWebhookBody } from './connectors/webhook.connector';
export { createConnectors } from './create-connectors';
export type { ConnectorDependencies } from './create-connectors';
export { CONNECTOR_TYPES } from './revocation-connector';
export type { ConnectorOutcome, ConnectorType, RevocationConnector, RevocationKind, RevocationRequest } from './revocation-connector';
export { CAEP_EVENT_TYPE_URIS, SET_MEDIA_TYPE, SET_TYPE } from './ssf/caep-event-types';
export { generateSsfSigningKey, ssfJwks } from './ssf/ssf-signing-key';
export type { GeneratedSsfSigningKey, SsfSigningKey } from './ssf/ssf-signing-key';
export { DEFAULT_SIGNATURE_TOLERANCE_SECONDS, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from './webhook/webhook-signature';
export type { VerifyWebhookSignatureOptions } from './webhook/webhook-signature';
export { postSignedWebhook } from './webhook/signed-webhook-delivery';
export type { PostSignedWebhookOptions, SignedWebhook } from './webhook/signed-webhook-delivery';
export { SSF_DELIVERY_METHODS, SSF_FRAMEWORK_EVENT_TYPE_URIS, streamSetClaims } from './ssf/stream-events';
export type { InitiatingEntity, StreamEvent, StreamSetInput, StreamStatus } from './ssf/stream-events';
export { signSecurityEvent } from './ssf/security-event-token';
export { loadSsfSigningKey } from './ssf/ssf-signing-key';
