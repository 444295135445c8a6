import { KeyObject } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { loadSsfSigningKey, signSecurityEvent, StreamEvent, streamSetClaims } from '@agentgov/revocation-connectors';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { ContainmentEnv } from '../config/containment.env';
import { SsfSigningKey } from '../connectors/ssf-signing-key';
import { SsfTransmitterError, SsfTransmitterErrorCode } from './ssf-transmitter.errors';

/**
 * Signs the SETs of managed streams with the key that signs the ssf connector's (its public half at the jwks_uri),
 * at the moment they are sent: a SET held by a paused stream, or polled again before its ack, is fresh (its `iat` is
 * when it was sent) and keeps its `jti`.
 */
@Injectable()
export class SsfSetSigner {
  /** SSF 1.0 §7.1: identical to every SET's `iss` and to the metadata's `issuer`. */
  readonly issuer: string;
  private loaded?: { privateKey: KeyObject; kid: string; alg: 'ES256' | 'RS256' };

  constructor(
    private readonly key: SsfSigningKey,
    @Inject(SERVICE_ENV) env: ContainmentEnv,
  ) {
    this.issuer = env.SSF_ISSUER.replace(/\/+$/, '');
  }

  get available(): boolean {
    return this.key.present;
  }

  /** Where a path of this transmitter is (its metadata's endpoints). */
  url(path: string): string {
    return `${this.issuer}${path}`;
  }

  async sign(stream: { id: string; audience: string }, jti: string, event: StreamEvent, now = new Date()): Promise<string> {
    if (!this.key.present) {
      throw new SsfTransmitterError(SsfTransmitterErrorCode.TransmitterUnavailable, 'SSF_SIGNING_KEY_FILE is not set: no SET can be signed');
    }
    this.loaded ??= loadSsfSigningKey(this.key.material);
    const claims = streamSetClaims({ issuer: this.issuer, audience: stream.audience, streamId: stream.id, jti, event, issuedAt: now });
    return signSecurityEvent(claims, this.loaded.privateKey, this.loaded.kid, this.loaded.alg);
  }
}
