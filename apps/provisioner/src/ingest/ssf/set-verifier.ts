import { createPublicKey, KeyObject } from 'node:crypto';

import { compactVerify, createRemoteJWKSet, decodeProtectedHeader, errors, JWTVerifyGetKey } from 'jose';

import { findUnstorableText, UNSTORABLE_TEXT_DETAIL } from '@agentgov/contracts';

import { isObject } from '../scim/scim-attributes';
import { SsfError } from './ssf.errors';

export interface SetVerifierConfig {
  jwksUrl?: string;
  /** PEM (SPKI) or JWK. */
  publicKey?: string;
  issuer: string;
  audience: readonly string[];
  /** Allowed clock skew for iat in the future. */
  clockToleranceSeconds?: number;
  /**
   * The oldest SET accepted (by its iat): a SET captured long ago and pushed again (or held back and released
   * later) is refused instead of offboarding someone by an old signal. Default a day.
   */
  maxAgeSeconds?: number;
}

export const DEFAULT_SET_MAX_AGE_SECONDS = 86_400;

export interface VerifiedSet {
  iss: string;
  jti: string;
  iat: number;
  aud: string[];
  /**
   * RFC 8417 §2.2 `txn`: the transmitter's id of the underlying change (SSF 1.0 §4.1: SETs of one cause, such as a
   * session-revoked and a credential-change, share it), kept with what the SET reports so both can be correlated.
   */
  txn?: string;
  /** sub_id (SSF 1.0), or the JWT `sub` as an iss_sub subject; undefined when the SET has neither. */
  subId?: unknown;
  events: Record<string, Record<string, unknown>>;
}

const JWKS_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
export const MAX_SET_BYTES = 64 * 1024;

/**
 * Verifies a pushed Security Event Token (RFC 8417): a JWS (never `none`) by the configured transmitter key,
 * `typ` secevent+jwt when present, iss, aud, a sane iat, jti, and an `events` object. SETs need no exp;
 * one that has an exp in the past is refused.
 */
export class SetVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly tolerance: number;
  private readonly maxAge: number;

  constructor(private readonly config: SetVerifierConfig) {
    if (Boolean(config.jwksUrl) === Boolean(config.publicKey)) throw new Error('SetVerifier: set exactly one of jwksUrl and publicKey');
    this.tolerance = config.clockToleranceSeconds ?? 300;
    this.maxAge = config.maxAgeSeconds ?? DEFAULT_SET_MAX_AGE_SECONDS;
    if (config.publicKey) {
      this.key = parseKey(config.publicKey);
      this.algorithms = algorithmsFor(this.key);
    } else {
      this.key = createRemoteJWKSet(new URL(config.jwksUrl as string), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
      this.algorithms = JWKS_ALGORITHMS;
    }
  }

  async verify(token: string, nowMs = Date.now()): Promise<VerifiedSet> {
    const compact = token.trim();
    const parts = compact.split('.');
    if (parts.length === 5) throw new SsfError('invalid_request', 'encrypted SETs are not supported; send a signed SET');
    if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new SsfError('invalid_request', 'the body is not a compact JWS');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(compact);
    } catch {
      throw new SsfError('invalid_request', 'the JWS header is not valid');
    }
    if (header.typ !== undefined && !/^(application\/)?secevent\+jwt$/i.test(String(header.typ))) {
      throw new SsfError('invalid_request', 'typ must be secevent+jwt');
    }
    if (typeof header.alg !== 'string' || !this.algorithms.includes(header.alg)) {
      throw new SsfError('invalid_key', `alg ${String(header.alg).slice(0, 20)} is not accepted for this transmitter`);
    }
    let payloadBytes: Uint8Array;
    try {
      ({ payload: payloadBytes } = await compactVerify(compact, this.key as KeyObject, { algorithms: this.algorithms }));
    } catch (error) {
      throw verificationError(error);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder().decode(payloadBytes));
    } catch {
      throw new SsfError('invalid_request', 'the SET payload is not JSON');
    }
    return this.checkClaims(payload, nowMs);
  }

  private checkClaims(payload: unknown, nowMs: number): VerifiedSet {
    if (!isObject(payload)) throw new SsfError('invalid_request', 'the SET payload must be a JSON object');
    const unstorable = findUnstorableText(payload);
    if (unstorable !== undefined) throw new SsfError('invalid_request', `the SET payload at ${unstorable} ${UNSTORABLE_TEXT_DETAIL}`);
    if (payload.iss !== this.config.issuer) throw new SsfError('invalid_issuer', 'the SET issuer is not the configured transmitter');
    const aud =
      typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === 'string') : [];
    if (!aud.some((a) => this.config.audience.includes(a))) throw new SsfError('invalid_audience', 'the SET is not addressed to this receiver');
    const { iat, jti, exp } = payload;
    if (typeof iat !== 'number' || !Number.isFinite(iat) || iat < 0) throw new SsfError('invalid_request', 'iat must be a NumericDate');
    if (iat * 1000 > nowMs + this.tolerance * 1000) throw new SsfError('invalid_request', 'iat is in the future');
    if (iat * 1000 < nowMs - this.maxAge * 1000) throw new SsfError('invalid_request', `the SET is older than ${this.maxAge} seconds (iat); send a fresh one`);
    if (exp !== undefined && (typeof exp !== 'number' || exp * 1000 < nowMs - this.tolerance * 1000)) {
      throw new SsfError('invalid_request', 'the SET has expired');
    }
    if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw new SsfError('invalid_request', 'jti must be a non-empty string');
    const txn = payload.txn;
    if (txn !== undefined && (typeof txn !== 'string' || txn === '' || txn.length > 256))
      throw new SsfError('invalid_request', 'txn must be a non-empty string');
    const events = payload.events;
    if (!isObject(events) || Object.keys(events).length === 0) throw new SsfError('invalid_request', 'events must be a non-empty object');
    for (const [type, event] of Object.entries(events)) {
      if (!isObject(event)) throw new SsfError('invalid_request', `the payload of ${type.slice(0, 200)} must be an object`);
    }
    const subId =
      payload.sub_id !== undefined ? payload.sub_id : typeof payload.sub === 'string' ? { format: 'iss_sub', iss: payload.iss, sub: payload.sub } : undefined;
    return {
      iss: payload.iss as string,
      jti,
      iat,
      aud,
      ...(typeof txn === 'string' ? { txn } : {}),
      subId,
      events: events as Record<string, Record<string, unknown>>,
    };
  }
}

function verificationError(error: unknown): SsfError {
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new SsfError('invalid_key', 'no key of the transmitter matches the SET');
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new SsfError('invalid_key', 'the SET is signed with an algorithm that is not accepted');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new SsfError('authentication_failed', 'the SET signature does not verify with the transmitter key');
  }
  if (error instanceof errors.JWSInvalid) return new SsfError('invalid_request', 'the body is not a valid JWS');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JOSEError) {
    return new SsfError('invalid_key', 'the transmitter keys could not be obtained; retry later', 503);
  }
  return new SsfError('invalid_key', 'the transmitter keys could not be obtained; retry later', 503);
}

function parseKey(text: string): KeyObject {
  const trimmed = text.trim().replace(/\\n/g, '\n');
  let key: KeyObject;
  try {
    key = trimmed.startsWith('{') ? createPublicKey({ key: JSON.parse(trimmed), format: 'jwk' }) : createPublicKey({ key: trimmed, format: 'pem' });
  } catch {
    throw new Error('SSF_TRANSMITTER_PUBLIC_KEY is not a PEM (SPKI) or JWK public key');
  }
  if (key.type !== 'public') throw new Error('SSF_TRANSMITTER_PUBLIC_KEY must be a public key');
  return key;
}

function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'prime256v1') return ['ES256'];
      if (curve === 'secp384r1') return ['ES384'];
      if (curve === 'secp521r1') return ['ES512'];
      break;
    }
    case 'ed25519':
      return ['EdDSA'];
  }
  throw new Error(`SSF_TRANSMITTER_PUBLIC_KEY: unsupported key type ${key.asymmetricKeyType}`);
}
