import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { AuditChain } from '@agentgov/audit-trail';
import { OwnerStatus } from '@agentgov/contracts';
import { canonicalJson } from '@agentgov/hash-chain';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { apiCause, auditActor } from '../../common/cause';
import { ProvisionerEnv } from '../../config/provisioner.env';
import { IdentityLifecycleEvent, LifecycleReporter } from '../../owners/lifecycle-reporter';
import { Owner } from '../../owners/owner';
import { OwnerError, OwnerErrorCode } from '../../owners/owners.errors';
import { OwnersService } from '../../owners/owners.service';
import { ReportIds } from '../../owners/report-ids';
import { externalIdForEvent } from '../subject';
import { ScimAttributeSelection, selectAttributes } from './scim-attribute-selection';
import { ScimUserFilter } from './scim-filter';
import { ScimUserChanges } from './scim-patch';
import { renderScimUser, ScimUserInput, ScimUserResource, userNameOf, versionMatches } from './scim-user';
import { ScimAttributeChanges, ScimUserRow, ScimUsersRepository } from './scim-users.repository';
import { SCIM_LEGACY_EXTERNAL_ID_SOURCE, SCIM_LIST_RESPONSE_SCHEMA, SCIM_USERNAME_SOURCE } from './scim.constants';
import { ScimError, ScimNotModified } from './scim.errors';

export interface ScimCaller {
  /** The bearer token's subject: the SCIM client. */
  subject: string;
  /** scheme://host of the request, for meta.location. */
  baseUrl: string;
}

/** What a request asks beside its body: the attributes to answer with, and the version it expects (If-Match). */
export interface ScimRequestOptions {
  selection: ScimAttributeSelection;
  ifMatch?: string;
  ifNoneMatch?: string;
}

/** A User to answer with: as the client asked to see it, and its version for the ETag header. */
export interface ScimUserAnswer {
  resource: Record<string, unknown>;
  version: string;
  location: string;
}

export interface ScimListResponse {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: Array<Record<string, unknown>>;
}

const KIND_FOR: Record<OwnerStatus, IdentityLifecycleEvent['kind']> = {
  active: 'owner.reinstated',
  suspended: 'owner.suspended',
  terminated: 'owner.terminated',
};

export const SCIM_ATTRIBUTES_CHANGED_ACTION = 'owner.scim-attributes-changed';
export const SCIM_USER_DELETED_ACTION = 'owner.scim-user-deleted';

/**
 * SCIM 2.0 Users over the owner registry. Profile attributes change the owner directly (audited); `active`
 * and DELETE never change the status here: they become identity.lifecycle.v1 events, reported only when
 * they differ from the status the owner has or is about to have, with an id derived from the owner, that
 * expectation and the request, so that a retried request reports nothing twice. Every answer shows `active`
 * as that expectation: a client reads back what it asked for, before the lifecycle consumer has applied it.
 */
@Injectable()
export class ScimUsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: ScimUsersRepository,
    private readonly owners: OwnersService,
    private readonly reporter: LifecycleReporter,
    private readonly reportIds: ReportIds,
    private readonly audit: AuditChain,
    @Inject(SERVICE_ENV) private readonly env: ProvisionerEnv,
  ) {}

  async get(id: string, options: ScimRequestOptions, caller: ScimCaller): Promise<ScimUserAnswer> {
    const row = await this.users.liveUser(id);
    if (!row) throw ScimError.notFound();
    const resource = (await this.render([row], this.dataSource.manager, caller))[0];
    if (options.ifNoneMatch && versionMatches(options.ifNoneMatch, resource.meta.version)) throw new ScimNotModified(resource.meta.version);
    return answer(resource, options.selection);
  }

  async list(
    filter: ScimUserFilter | undefined,
    startIndex: number,
    count: number,
    selection: ScimAttributeSelection,
    caller: ScimCaller,
  ): Promise<ScimListResponse> {
    const { total, ids } = await this.users.search(filter, startIndex - 1, count);
    const rows = await this.users.liveUsers(ids);
    const resources = await this.render(rows, this.dataSource.manager, caller);
    return {
      schemas: [SCIM_LIST_RESPONSE_SCHEMA],
      totalResults: total,
      startIndex,
      itemsPerPage: resources.length,
      Resources: resources.map((r) => selectAttributes(r as unknown as Record<string, unknown>, selection)),
    };
  }

  /** A new resource, even when a deleted user had the same userName or externalId (RFC 7644 §3.6). */
  create(input: ScimUserInput, rawBody: unknown, options: ScimRequestOptions, caller: ScimCaller): Promise<ScimUserAnswer> {
    return this.dataSource.transaction(async (tx) => {
      const cause = apiCause(caller.subject);
      await this.claimUserName(tx, input.userName);
      const owner = await this.owners.createIn(tx, { ...input.profile, identities: [{ source: SCIM_USERNAME_SOURCE, externalId: input.userName }] }, cause);
      await this.saveAttributes(tx, owner.id, { externalId: input.externalId, name: input.name }, caller);
      if (input.active === false) await this.requestStatus(tx, owner, false, 'POST', rawBody, caller);
      return this.answerIn(tx, owner.id, options, caller);
    });
  }

  replace(id: string, input: ScimUserInput, rawBody: unknown, options: ScimRequestOptions, caller: ScimCaller): Promise<ScimUserAnswer> {
    return this.withLiveUser(id, options, caller, async (tx, row) => {
      const cause = apiCause(caller.subject);
      await this.setUserName(tx, row.owner, input.userName, caller);
      await this.saveAttributes(tx, row.owner.id, { externalId: input.externalId, name: input.name }, caller);
      const updated = await this.owners.updateProfileIn(tx, row.owner.id, input.profile, cause);
      if (input.active !== undefined) await this.requestStatus(tx, updated, input.active, 'PUT', rawBody, caller);
      return this.answerIn(tx, id, options, caller);
    });
  }

  patch(id: string, changes: ScimUserChanges, rawBody: unknown, options: ScimRequestOptions, caller: ScimCaller): Promise<ScimUserAnswer> {
    return this.withLiveUser(id, options, caller, async (tx, row) => {
      if (changes.userName !== undefined) await this.setUserName(tx, row.owner, changes.userName, caller);
      await this.saveAttributes(tx, row.owner.id, { externalId: changes.externalId, name: changes.name }, caller);
      const updated = Object.keys(changes.profile).length
        ? await this.owners.updateProfileIn(tx, row.owner.id, changes.profile, apiCause(caller.subject))
        : row.owner;
      if (changes.active !== undefined) await this.requestStatus(tx, updated, changes.active, 'PATCH', rawBody, caller);
      return this.answerIn(tx, id, options, caller);
    });
  }

  /**
   * RFC 7644 §3.6: the user is gone for SCIM (404 from now on, absent from lists, its userName free for a new
   * user), and to the registry the deletion is the person's termination: reported like any other, so that their
   * agents are offboarded by the same cascade. The owner stays, terminated, with its audit trail.
   */
  async delete(id: string, options: Pick<ScimRequestOptions, 'ifMatch'>, caller: ScimCaller): Promise<void> {
    await this.withLiveUser(id, { selection: {}, ...options }, caller, async (tx, row) => {
      await this.requestStatus(tx, row.owner, 'terminated', 'DELETE', null, caller);
      // The userName goes with the user: a client may create a new user with it (a new resource, a new owner).
      await this.owners.unlinkSourceIn(tx, row.owner.id, SCIM_USERNAME_SOURCE, undefined, apiCause(caller.subject));
      await this.users.markDeleted(tx, row.owner.id);
      await this.audit.append(tx, [
        {
          at: new Date(),
          ...auditActor(apiCause(caller.subject)),
          action: SCIM_USER_DELETED_ACTION,
          subjectType: 'owner',
          subjectId: row.owner.id,
          details: { userName: userNameOf(row.owner), externalId: row.attributes.externalId, scimClient: caller.subject },
        },
      ]);
    });
  }

  /**
   * Reports the change to `desired` unless the owner has (or is about to have) that status already; a
   * terminated owner is not suspended by a later deactivation.
   */
  private async requestStatus(
    tx: EntityManager,
    owner: Owner,
    desired: boolean | 'terminated',
    method: string,
    rawBody: unknown,
    caller: ScimCaller,
  ): Promise<void> {
    const target: OwnerStatus = desired === true ? 'active' : desired === false ? this.env.SCIM_DEACTIVATE_MEANS : 'terminated';
    const expected = await this.reporter.expectedStatus(tx, owner);
    const redundant = expected.status === target || (target !== 'active' && expected.status === 'terminated');
    if (redundant) return;
    // The resource changes now (its `active`), before the lifecycle consumer applies the change.
    await this.users.saveAttributes(tx, owner.id, {}, true);
    const kind = KIND_FOR[target];
    const [row] = await this.users.liveUsers([owner.id], tx);
    const externalId = externalIdForEvent(row?.attributes.externalId);
    const data: IdentityLifecycleEvent = {
      kind,
      ownerId: owner.id,
      ...(externalId ? { externalId } : {}),
      source: 'scim',
      occurredAt: new Date().toISOString(),
      reason: method === 'DELETE' ? 'SCIM DELETE of the user' : `SCIM ${method} set active to ${desired}`,
    };
    const eventId = this.reportIds.of('scim', owner.id, kind, expected.version, method, canonicalJson(rawBody));
    await this.reporter.report({ data, eventId, actor: { actorType: 'api', actor: caller.subject }, details: { scimClient: caller.subject } }, tx);
  }

  /** Runs `work` holding the owner's row lock, after checking the user is live and, with If-Match, unchanged. */
  private async withLiveUser<T>(
    id: string,
    options: ScimRequestOptions,
    caller: ScimCaller,
    work: (tx: EntityManager, row: ScimUserRow) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      if (!(await this.users.lockLiveUser(tx, id))) throw ScimError.notFound();
      const row = await this.users.liveUser(id, tx);
      if (!row) throw ScimError.notFound();
      if (options.ifMatch) {
        const [current] = await this.render([row], tx, caller);
        if (!versionMatches(options.ifMatch, current.meta.version)) throw ScimError.preconditionFailed();
      }
      return work(tx, row);
    });
  }

  /** userName is unique among live users regardless of case: checked under a lock on it, then linked. */
  private async setUserName(tx: EntityManager, owner: Owner, userName: string, caller: ScimCaller): Promise<void> {
    const current = owner.identities.filter((i) => i.source === SCIM_USERNAME_SOURCE);
    if (current.length === 1 && current[0].externalId === userName) return;
    // An owner registered with POST /owners shows its email as userName; from its first SCIM write on, the
    // userName is the client's, and no longer follows the email.
    await this.claimUserName(tx, userName, owner.id);
    await this.owners.unlinkSourceIn(tx, owner.id, SCIM_USERNAME_SOURCE, userName, apiCause(caller.subject));
    await this.owners.linkIdentityIn(tx, owner.id, { source: SCIM_USERNAME_SOURCE, externalId: userName }, apiCause(caller.subject));
    await this.users.saveAttributes(tx, owner.id, {}, true);
  }

  /**
   * Refuses a userName that a live user other than `owner` shows, compared without case: the userName a client
   * gave, or the email of an owner registered with POST /owners (which is what such an owner shows as userName;
   * the client should find it with a filter and update it, instead of creating the person twice).
   */
  private async claimUserName(tx: EntityManager, userName: string, owner?: string): Promise<void> {
    await this.users.lockUserName(tx, userName);
    if (await this.users.userNameTaken(tx, userName, owner)) throw ScimError.uniqueness('userName is already in use');
  }

  /** externalId and the name's parts; audited when they change. */
  private async saveAttributes(tx: EntityManager, ownerId: string, changes: ScimAttributeChanges, caller: ScimCaller): Promise<void> {
    const changed = await this.users.saveAttributes(tx, ownerId, changes);
    if (changed.externalId !== undefined) {
      // An externalId kept as an identity link by an earlier version would still name the old one.
      await this.owners.unlinkSourceIn(tx, ownerId, SCIM_LEGACY_EXTERNAL_ID_SOURCE, undefined, apiCause(caller.subject));
    }
    if (Object.keys(changed).length === 0) return;
    await this.audit.append(tx, [
      {
        at: new Date(),
        ...auditActor(apiCause(caller.subject)),
        action: SCIM_ATTRIBUTES_CHANGED_ACTION,
        subjectType: 'owner',
        subjectId: ownerId,
        details: { changes: changed, scimClient: caller.subject },
      },
    ]);
  }

  private async answerIn(tx: EntityManager, id: string, options: ScimRequestOptions, caller: ScimCaller): Promise<ScimUserAnswer> {
    const row = await this.users.liveUser(id, tx);
    if (!row) throw ScimError.notFound();
    const [resource] = await this.render([row], tx, caller);
    return answer(resource, options.selection);
  }

  private async render(rows: ScimUserRow[], manager: EntityManager, caller: ScimCaller): Promise<ScimUserResource[]> {
    const expected = await this.reporter.expectedStatuses(
      manager,
      rows.map((r) => r.owner),
    );
    return rows.map((row) => renderScimUser({ ...row, active: (expected.get(row.owner.id)?.status ?? row.owner.status) === 'active' }, caller.baseUrl));
  }
}

function answer(resource: ScimUserResource, selection: ScimAttributeSelection): ScimUserAnswer {
  return {
    resource: selectAttributes(resource as unknown as Record<string, unknown>, selection),
    version: resource.meta.version,
    location: resource.meta.location,
  };
}

/** Owner errors the SCIM surface can meet, in SCIM's terms, with a detail of its own (theirs name ids). */
export function scimErrorFromOwnerError(error: OwnerError): ScimError {
  if (error.code === OwnerErrorCode.IdentityTaken || error.code === OwnerErrorCode.OwnerExists) return ScimError.uniqueness('userName is already in use');
  if (error.code === OwnerErrorCode.OwnerNotFound) return ScimError.notFound();
  return ScimError.invalidValue(error.title);
}
