import { hkdfSync } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { keyedUuid } from '@agentgov/contracts';
import { keyEncryptionKeyFrom } from '@agentgov/sealed-secrets';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import type { ProvisionerEnv } from '../config/provisioner.env';

/**
 * Ids of the lifecycle events reported from outside (SCIM calls, Okta hooks, SETs, the owners API): the same for a
 * retried request, so every consumer's inbox absorbs the retry, and unpredictable without this service's key, so
 * nobody who may write identity.lifecycle.v1 can send, ahead of a real offboarding, an event carrying its id.
 * The key is derived (HKDF) from ISSUER_KEY_ENCRYPTION_KEY, the provisioner's secret; it is never stored.
 */
@Injectable()
export class ReportIds {
  private readonly key: Buffer;

  constructor(@Inject(SERVICE_ENV) env: ProvisionerEnv) {
    const kek = keyEncryptionKeyFrom({ variable: 'ISSUER_KEY_ENCRYPTION_KEY', base64: env.ISSUER_KEY_ENCRYPTION_KEY, developmentPurpose: 'issuer' });
    this.key = Buffer.from(hkdfSync('sha256', kek.key, Buffer.alloc(0), 'agentgov lifecycle report ids', 32));
  }

  of(namespace: string, ...parts: readonly string[]): string {
    return keyedUuid(this.key, namespace, ...parts);
  }
}
