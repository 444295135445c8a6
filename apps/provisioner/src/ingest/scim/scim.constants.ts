export const SCIM_CONTENT_TYPE = 'application/scim+json';
export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SCIM_LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const SCIM_RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCIM_SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** Where the SCIM service is mounted; every answer under it, errors included, is SCIM's. */
export const SCIM_BASE_PATH = '/scim/v2';

/** Most resources one list answer holds (ServiceProviderConfig filter.maxResults); a larger count is lowered to it. */
export const SCIM_MAX_RESULTS = 200;
export const SCIM_DEFAULT_COUNT = 100;

export { SCIM_USERNAME_SOURCE } from '../../owners/owner';
/**
 * Identity source under which earlier versions kept the SCIM externalId. The externalId now lives in scim_users
 * (RFC 7643 §3.1 does not make it unique); links of this source are only removed, when the client changes it.
 */
export const SCIM_LEGACY_EXTERNAL_ID_SOURCE = 'scim';

/** The media types a SCIM body may come in (RFC 7644 §3.1: application/scim+json; clients also send plain JSON). */
export const SCIM_BODY_MEDIA_TYPES = [SCIM_CONTENT_TYPE, 'application/json'] as const;
export const SCIM_BODY_LIMIT_BYTES = 256 * 1024;
