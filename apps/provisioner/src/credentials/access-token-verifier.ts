import { Inject, Injectable } from '@nestjs/common';
import { JWTPayload, jwtVerify } from 'jose';

import { isUuid } from '@agentgov/contracts';

import { ACCESS_TOKEN_TYPE } from './access-token-claims';
import { CREDENTIALS_CONFIG, CredentialsConfig } from './credentials.config';
import { LINEAGE_CLAIM } from './delegation-lineage';
import { SIGNING_ALGORITHM, SigningKeyStore } from './signing-key-store';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Tokens whose signature was already checked; a resource server introspects the same token many times. */
const VERIFIED_CACHE_SIZE = 20_000;

export interface VerifiedAccessToken extends JWTPayload {
  sub: string;
  jti: string;
  exp: number;
  iat: number;
}

/** Checks that a string is an unexpired access token this issuer signed; null for anything else. */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    private readonly keys: SigningKeyStore,
    @Inject(CREDENTIALS_CONFIG) private readonly config: CredentialsConfig,
  ) {}

  // Only signature and claims are cached (with the key that signed them), never whether the token is active: that
  // is read on every call. A cached token whose key was revoked since is verified no more.
  private readonly verified = new Map<string, { payload: VerifiedAccessToken; kid: string }>();

  async verify(token: string): Promise<VerifiedAccessToken | null> {
    const cached = this.verified.get(token);
    if (cached) {
      if (cached.payload.exp * 1000 > Date.now() && this.keys.trusts(cached.kid)) return cached.payload;
      this.verified.delete(token);
      return null;
    }
    const verified = await this.verifySignature(token);
    if (verified) {
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, verified);
    }
    return verified?.payload ?? null;
  }

  private async verifySignature(token: string): Promise<{ payload: VerifiedAccessToken; kid: string } | null> {
    if (token.length > 8192 || !JWT_SHAPE.test(token)) return null;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, (header) => this.keys.verificationKey(header), {
        issuer: this.config.issuer,
        algorithms: [SIGNING_ALGORITHM],
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') return null;
      // The agent a token's state is looked up by: its subject, or for an exchanged token (whose subject is the
      // human it acts for) its client.
      if (!isUuid(payload[LINEAGE_CLAIM] === undefined ? payload.sub : payload.client_id)) return null;
      // This issuer never signs a token that lives longer than its configured lifetime: one that does was not
      // issued here as configured (a leaked key, a lowered TTL) and is refused.
      if ((payload.exp as number) - (payload.iat as number) > this.config.ttlSeconds) return null;
      return { payload: payload as VerifiedAccessToken, kid: protectedHeader.kid as string };
    } catch {
      return null;
    }
  }
}
