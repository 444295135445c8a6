import { SsfEvent } from '../config/connector-config';

/** CAEP 1.0 event type URIs (OpenID Continuous Access Evaluation Profile 1.0, §3). */
export const CAEP_EVENT_TYPE_URIS: Record<SsfEvent, string> = {
  'session-revoked': 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  'credential-change': 'https://schemas.openid.net/secevent/caep/event-type/credential-change',
};

/** The JWS `typ` of a Security Event Token (RFC 8417 §2.3). */
export const SET_TYPE = 'secevent+jwt';

/** The media type of a pushed SET (RFC 8935 §2). */
export const SET_MEDIA_TYPE = 'application/secevent+jwt';
