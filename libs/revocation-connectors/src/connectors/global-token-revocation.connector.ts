import { GlobalTokenRevocationConfig } from '../config/connector-config';
import { HttpResult } from '../http/http-client';
import { isSuccess, unexpectedResponse } from '../http/response-outcome';
import { describeResponse } from '../http/safe-reason';
import { ConnectorOutcome, RevocationConnector, RevocationRequest } from '../revocation-connector';
import { ConnectorRuntime } from './connector-runtime';
import { ConnectorStop, runToOutcome } from './connector-stop';
import { DirectoryOwner, OwnerDirectory } from './global-token-revocation-owner-directory';
import { GlobalTokenRevocationToken } from './global-token-revocation-token';

/** An RFC 9493 subject identifier as the draft's request carries it in `sub_id`. */
export type SubjectIdentifier = { format: 'opaque'; id: string } | { format: 'iss_sub'; iss: string; sub: string } | { format: 'email'; email: string };

export const OWNER_NOT_OFFBOARDED = 'owner not offboarded in the registry: no owner-level revocation';
export const NOTHING_TO_REVOKE_AT_RECEIVER = 'subject not known at the receiver (404): nothing to revoke';

/** How many owners' last revocation is remembered, so that one offboarding of many agents reaches the receiver once. */
const REMEMBERED_OWNERS = 10_000;

/**
 * Global Token Revocation (draft-parecki-oauth-global-token-revocation-06) at another system: one POST of
 * `{"sub_id": <RFC 9493 subject identifier>}` to its endpoint (§3.2), with a bearer token, and 204 means every token
 * of the subject is being revoked (§3.4.1), so the receipt is confirmed. Other answers follow the library's mapping
 * (§3.4.2): 400, 401, 403 and 422 fail (a refused token obtained by client credentials is renewed once first), 408,
 * 429 and 5xx retry after Retry-After; a 404 ("User Not Found") fails unless the entry says `notFound:
 * "nothing-to-revoke"`, because a wrong endpoint URL answers 404 too; another 2xx is `sent`, not confirmed.
 *
 * `subject: "agent"` names the agent (opaque id, or iss_sub under agentgov's issuer) on every action, a release
 * included: the agent starts again from fresh tokens. `subject: "owner"` names the agent's owner (email, opaque owner
 * id, or their identity linked at `subjectIssuer`) and acts only while the registry (`ownerDirectory`) has the owner
 * offboarded: one agent's containment must never log its owner out everywhere. Such an offboarding reaches the
 * receiver once: a later delivery for the same owner decided before a confirmed revocation is confirmed by it.
 */
export class GlobalTokenRevocationConnector implements RevocationConnector {
  readonly type = 'global-token-revocation';
  private readonly token: GlobalTokenRevocationToken;
  private readonly directory?: OwnerDirectory;
  /** `iss` of an iss_sub subject (the configuration requires it with that format). */
  private readonly subjectIssuer: string;
  /** Owner subject (as sent) → when its last confirmed revocation was sent, in ms. */
  private readonly ownerRevokedAt = new Map<string, number>();
  /** Owner subject → the revocation in flight for it and when it was sent: concurrent deliveries share it. */
  private readonly ownerInFlight = new Map<string, { sentAt: number; outcome: Promise<ConnectorOutcome> }>();

  constructor(
    private readonly config: GlobalTokenRevocationConfig,
    private readonly runtime: ConnectorRuntime,
  ) {
    this.token = new GlobalTokenRevocationToken(config, runtime);
    if (config.ownerDirectory) this.directory = new OwnerDirectory(config.ownerDirectory, runtime);
    this.subjectIssuer = config.subjectIssuer ?? '';
  }

  get name(): string {
    return this.config.name;
  }

  revoke(request: RevocationRequest, signal?: AbortSignal): Promise<ConnectorOutcome> {
    return runToOutcome(async () => {
      if (this.config.subject === 'agent') return this.revokeSubject(this.agentSubject(request.agentId), 'agent', signal);
      return this.revokeOwner(request, signal);
    });
  }

  private agentSubject(agentId: string): SubjectIdentifier {
    return this.config.subjectFormat === 'iss_sub' ? { format: 'iss_sub', iss: this.subjectIssuer, sub: agentId } : { format: 'opaque', id: agentId };
  }

  private async revokeOwner(request: RevocationRequest, signal?: AbortSignal): Promise<ConnectorOutcome> {
    // A release gives an agent its access back; it gives nobody their sessions back, and asks nothing of the owner.
    if (request.kind === 'release') return { status: 'confirmed', detail: 'a release asks nothing of the owner' };
    if (!request.ownerId) return { status: 'confirmed', detail: 'no owner known for the agent: no owner-level revocation' };
    if (!this.directory) return { status: 'failed', reason: 'no owner directory configured' };
    const owner = await this.directory.owner(request.ownerId, signal);
    if (!(this.config.ownerStatuses as string[]).includes(owner.status)) return { status: 'confirmed', detail: `${OWNER_NOT_OFFBOARDED} (${owner.status})` };
    const subjects = this.ownerSubjects(owner);
    const decidedAt = Date.parse(request.occurredAt);
    const outcomes: ConnectorOutcome[] = [];
    for (const subject of subjects) {
      const key = JSON.stringify(subject);
      const revokedAt = this.ownerRevokedAt.get(key);
      if (revokedAt !== undefined && Number.isFinite(decidedAt) && revokedAt >= decidedAt) {
        outcomes.push({ status: 'confirmed', detail: `owner's tokens revoked at ${new Date(revokedAt).toISOString()}, after this action was decided` });
        continue;
      }
      const outcome = await this.revokeOwnerSubject(key, subject, decidedAt, signal);
      if (outcome.status === 'retry' || outcome.status === 'failed') return outcome;
      outcomes.push(outcome);
    }
    return outcomes.find((o) => o.status === 'sent') ?? outcomes[0];
  }

  /**
   * One owner subject's revocation, shared with a request for it already in flight when that one was sent after this
   * action was decided (and confirmed); otherwise a request of its own.
   */
  private async revokeOwnerSubject(key: string, subject: SubjectIdentifier, decidedAt: number, signal?: AbortSignal): Promise<ConnectorOutcome> {
    const inFlight = this.ownerInFlight.get(key);
    if (inFlight && Number.isFinite(decidedAt) && inFlight.sentAt >= decidedAt) {
      const shared = await inFlight.outcome.catch(() => undefined);
      if (shared?.status === 'confirmed') return shared;
    }
    const sentAt = this.runtime.now().getTime();
    const outcome = this.revokeSubject(subject, 'offboarded owner', signal);
    const entry = { sentAt, outcome };
    this.ownerInFlight.set(key, entry);
    try {
      const settled = await outcome;
      if (settled.status === 'confirmed') this.remember(key, sentAt);
      return settled;
    } finally {
      if (this.ownerInFlight.get(key) === entry) this.ownerInFlight.delete(key);
    }
  }

  /** The identifiers the receiver may know the owner by, in the configured format; none is a failure to be seen. */
  private ownerSubjects(owner: DirectoryOwner): SubjectIdentifier[] {
    switch (this.config.subjectFormat) {
      case 'email':
        if (!owner.email)
          throw new ConnectorStop({ status: 'failed', reason: 'the owner has no email in the registry: the receiver cannot be told whom to log out' });
        return [{ format: 'email', email: owner.email }];
      case 'iss_sub': {
        const iss = this.subjectIssuer;
        const linked = owner.identities.filter((identity) => identity.source === iss);
        if (linked.length === 0)
          throw new ConnectorStop({ status: 'failed', reason: 'the owner has no identity linked at the subject issuer in the registry' });
        return linked.map((identity) => ({ format: 'iss_sub', iss, sub: identity.externalId }));
      }
      case 'opaque':
        return [{ format: 'opaque', id: owner.id }];
    }
  }

  /** One request for one subject; a token obtained by client credentials that the endpoint refuses is renewed once. */
  private async revokeSubject(subject: SubjectIdentifier, what: string, signal?: AbortSignal): Promise<ConnectorOutcome> {
    let token = await this.token.get();
    let result = await this.post(subject, token, signal);
    if (result.answered && result.status === 401 && this.token.renewable) {
      this.token.invalidate(token);
      token = await this.token.get();
      result = await this.post(subject, token, signal);
    }
    const secrets = [...this.token.secrets(), token];
    if (!result.answered) return { status: 'retry', reason: `global token revocation endpoint: ${result.reason}` };
    if (result.status === 204) return { status: 'confirmed', detail: `every token of the ${what} revoked (204, ${subject.format} subject)` };
    if (isSuccess(result.status)) {
      return {
        status: 'sent',
        detail: describeResponse(`accepted without the 204 the draft defines (${subject.format} subject)`, result.status, result.body, secrets),
      };
    }
    if (result.status === 404 && this.config.notFound === 'nothing-to-revoke') return { status: 'confirmed', detail: NOTHING_TO_REVOKE_AT_RECEIVER };
    return unexpectedResponse('global token revocation endpoint', result, secrets, this.runtime.now());
  }

  private post(subject: SubjectIdentifier, token: string, signal?: AbortSignal): Promise<HttpResult> {
    return this.runtime.http.send(
      {
        method: 'POST',
        url: this.config.endpoint,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ sub_id: subject }),
      },
      signal,
    );
  }

  private remember(key: string, at: number): void {
    this.ownerRevokedAt.delete(key);
    if (this.ownerRevokedAt.size >= REMEMBERED_OWNERS) this.ownerRevokedAt.delete(this.ownerRevokedAt.keys().next().value as string);
    this.ownerRevokedAt.set(key, at);
  }
}
