import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { DataSource } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';

import { DelegationsRepository } from '../delegations/delegations.repository';
import { ACCESS_TOKEN_TYPE, clientIdOf, OWNER_CLAIM } from './access-token-claims';
import { AccessTokenVerifier, VerifiedAccessToken } from './access-token-verifier';
import { AgentTokenState, AgentTokenStateCache } from './agent-token-state.cache';
import { AuthenticatedClient } from './client-authenticator';
import { CREDENTIALS_CONFIG, CredentialsConfig } from './credentials.config';
import { OAuthError } from './credentials.errors';
import { clientTokenChain, extendLineage, Lineage, readLineage } from './delegation-lineage';
import { buildExchangedTokenClaims } from './exchanged-token-claims';
import { TokenResponse } from './issue-access-token.usecase';
import { resourceCeiling, ResourceTargets } from './resource-targets';
import { attenuateScopes, ScopeCeiling } from './scope';
import { SIGNING_ALGORITHM, SigningKeyStore } from './signing-key-store';
import { issuedAtMs } from './token-activity';
import { TokenLiveness } from './token-liveness';
import { ACCESS_TOKEN_TYPE_URI, TokenExchangeRequest } from './token-request-parameters';

/**
 * Token exchange (RFC 8693) for agents: an authenticated agent presents a token it holds, or one delegated to it, and
 * gets one for a downstream agent (`audience`, which alone may exchange it further: `may_act`) or for registered
 * resources (`resource`, RFC 8707), with scopes never beyond the subject token's, its own grant or the target's, and
 * an `act` chain naming every agent from the human's first one to itself. The token's lineage is signed into it, so
 * that introspection ends it as soon as any party of the chain is cut off. Every exchange is audited, no token value
 * with it.
 */
@Injectable()
export class ExchangeTokenUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditChain,
    private readonly verifier: AccessTokenVerifier,
    private readonly liveness: TokenLiveness,
    private readonly states: AgentTokenStateCache,
    private readonly delegations: DelegationsRepository,
    private readonly targets: ResourceTargets,
    private readonly keys: SigningKeyStore,
    @Inject(CREDENTIALS_CONFIG) private readonly config: CredentialsConfig,
  ) {}

  async execute(client: AuthenticatedClient, request: TokenExchangeRequest): Promise<TokenResponse> {
    const subject = await this.liveToken(request.subjectToken, 'subject_token');
    if (request.actorToken !== undefined) {
      const actor = await this.liveToken(request.actorToken, 'actor_token');
      // The actor token proves who acts; here that is the authenticated client, and no one else.
      if (clientIdOf(actor) !== client.id) throw new OAuthError('invalid_request', 'The actor_token must be a token of the authenticated client.');
    }
    const holder = clientIdOf(subject);
    if (holder !== client.id) await this.checkMayAct(subject, holder, client.id);

    const lineage = extendLineage(
      { lineage: await this.lineageOf(subject), jti: subject.jti, clientId: holder, issuedAtMs: issuedAtMs(subject) },
      { id: client.id, ownerId: client.ownerId },
    );
    const downstream = request.audience === undefined ? undefined : await this.downstreamAgent(request.audience, client.id);
    // A token for a downstream agent is only of use to be exchanged by it, which would lengthen the chain by one.
    const chainLength = lineage.agents.length + (downstream ? 1 : 0);
    if (chainLength > this.config.maxDelegationChain) {
      throw new OAuthError(
        'invalid_request',
        `The delegation chain would name ${chainLength} agents; at most ${this.config.maxDelegationChain} are allowed (TOKEN_EXCHANGE_MAX_CHAIN).`,
      );
    }
    const targets = await this.targets.resolve(request.resources);
    const ceilings: ScopeCeiling[] = [
      { scopes: scopesOf(subject), what: "the subject token's scope" },
      { scopes: client.scopes, what: "the client's own scopes" },
      ...(targets.length > 0 ? [resourceCeiling(targets)] : []),
      ...(downstream ? [{ scopes: downstream.state.scopes, what: "the downstream agent's scopes" }] : []),
    ];
    const scopes = attenuateScopes(request.scope, ceilings);
    if (!scopes.ok) throw new OAuthError(scopes.error, scopes.description);

    const issuedAt = Date.now();
    const iat = Math.floor(issuedAt / 1000);
    // Never beyond the subject token: a delegation does not outlast what it was delegated from.
    const expiresAt = Math.min(iat + this.config.ttlSeconds, subject.exp);
    const audience = [...targets.map((t) => t.resource), ...(downstream ? [downstream.id] : [])];
    const jti = randomUUID();
    const ownerId = humanOf(subject);
    const claims = buildExchangedTokenClaims({
      issuer: this.config.issuer,
      audience: audience.length > 0 ? audience : this.config.audience,
      ownerId,
      lineage,
      mayAct: downstream?.id,
      scopes: scopes.scopes,
      jti,
      issuedAtMs: issuedAt,
      expiresAt,
    });
    // The same check introspection will make, on the token about to be signed: a party of the chain may have been
    // cut off since the subject token was issued (a parent of the agent that started it, an owner reassigned).
    if (!(await this.liveness.isLive(claims as VerifiedAccessToken))) {
      throw new OAuthError('invalid_request', 'A party of the delegation chain is no longer active.');
    }
    await this.dataSource.transaction((tx) =>
      this.audit.append(tx, [
        {
          at: new Date(issuedAt),
          actorType: 'api',
          actor: client.id,
          action: 'agent.token-exchanged',
          subjectType: 'agent',
          subjectId: client.id,
          details: {
            jti,
            ownerId,
            actorChain: lineage.agents.map((link) => link.agent),
            derivedFrom: lineage.tokens.map((token) => token.jti),
            scope: scopes.scopes,
            resources: targets.map((t) => t.resource),
            ...(downstream ? { mayAct: downstream.id } : {}),
            expiresAt: new Date(expiresAt * 1000).toISOString(),
          },
        },
      ]),
    );
    const key = this.keys.activeKey();
    const token = await new SignJWT(claims).setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: key.kid }).sign(key.privateKey);
    return { access_token: token, issued_token_type: ACCESS_TOKEN_TYPE_URI, token_type: 'Bearer', expires_in: expiresAt - iat, scope: scopes.scopes.join(' ') };
  }

  /** RFC 8693 §2.2.2: a presented token that is not good is invalid_request. */
  private async liveToken(token: string, name: string): Promise<VerifiedAccessToken> {
    const payload = await this.verifier.verify(token);
    if (!payload || !(await this.liveness.isLive(payload)))
      throw new OAuthError('invalid_request', `The ${name} is not an active access token of this issuer.`);
    return payload;
  }

  /**
   * RFC 8693 §4.4. A token held by another agent may be presented only by the agent it was issued for (its may_act),
   * and only while the registry still lets that agent act for the holder: a sub-agent of it, or one granted explicitly.
   */
  private async checkMayAct(subject: VerifiedAccessToken, holder: string, clientId: string): Promise<void> {
    const mayAct = (subject.may_act as { sub?: unknown } | undefined)?.sub;
    if (mayAct !== clientId) throw new OAuthError('invalid_request', 'The subject_token was not issued for this client to act on (may_act).');
    if (!(await this.delegations.mayActFor(clientId, holder))) {
      throw new OAuthError('invalid_request', 'This client may no longer act for the agent that delegated the subject_token.');
    }
  }

  /** The agent the token is for: active, and one the registry lets act for the client (see DelegationsRepository). */
  private async downstreamAgent(agentId: string, clientId: string): Promise<{ id: string; state: AgentTokenState }> {
    if (agentId === clientId) throw new OAuthError('invalid_target', 'The audience is the client itself; omit it to keep the token.');
    const state = await this.states.get(agentId);
    if (!state?.active || (state.expiresAtMs !== null && state.expiresAtMs <= Date.now())) {
      throw new OAuthError('invalid_target', 'The audience is not an active agent.');
    }
    if (!(await this.delegations.mayActFor(agentId, clientId))) {
      throw new OAuthError('invalid_target', 'The audience agent may not act for this client: it is not one of its sub-agents and holds no delegation grant.');
    }
    return { id: agentId, state };
  }

  /**
   * An exchanged token's signed lineage; for a client credentials token, the chain it acts as (its parents, then its
   * agent), each agent with the owner it answers to now, all holding the authority since that token was issued.
   */
  private async lineageOf(subject: VerifiedAccessToken): Promise<Lineage> {
    const signed = readLineage(subject);
    if (signed) return signed;
    const since = issuedAtMs(subject);
    const agents = [];
    for (const agent of clientTokenChain(subject)) {
      const state = await this.states.get(agent);
      if (!state) throw new OAuthError('invalid_request', 'A party of the delegation chain is no longer in the registry.');
      agents.push({ agent, owner: state.ownerId, since });
    }
    if (agents.at(-1)?.owner !== humanOf(subject)) {
      throw new OAuthError('invalid_request', 'The subject_token was issued before its agent changed owner; use a new one.');
    }
    return { agents, tokens: [] };
  }
}

function scopesOf(token: VerifiedAccessToken): string[] {
  return typeof token.scope === 'string' ? token.scope.split(' ').filter((s) => s !== '') : [];
}

/** The human a token acts for: the owner it names (an exchanged token's subject names the same one). */
function humanOf(token: VerifiedAccessToken): string {
  const owner = token[OWNER_CLAIM];
  if (typeof owner !== 'string') throw new OAuthError('invalid_request', 'The subject_token names no accountable owner.');
  return owner;
}
