import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

import { OwnerStatus } from '@agentgov/contracts';
import { canonicalJson } from '@agentgov/hash-chain';
import { SERVICE_ENV } from '@agentgov/service-runtime';

import { apiCause } from '../../common/cause';
import { ProvisionerEnv } from '../../config/provisioner.env';
import { IdentityLifecycleEvent, LifecycleReporter } from '../../owners/lifecycle-reporter';
import { Owner } from '../../owners/owner';
import { OwnerError, OwnerErrorCode } from '../../owners/owners.errors';
import { OwnersRepository } from '../../owners/owners.repository';
import { OwnersService } from '../../owners/owners.service';
import { ReportIds } from '../../owners/report-ids';
import { externalIdForEvent } from '../subject';
import { ScimUserChanges } from './scim-patch';
import { renderScimUser, ScimUserInput, ScimUserResource } from './scim-user';
import { SCIM_LIST_RESPONSE_SCHEMA, SCIM_SOURCE, SCIM_USERNAME_SOURCE } from './scim.constants';
import { ScimError } from './scim.errors';

export interface ScimCaller {
  /** The bearer token's subject: the SCIM client. */
  subject: string;
  /** scheme://host of the request, for meta.location. */
  baseUrl: string;
}

export interface ScimFilter {
  attribute: 'username' | 'externalid' | 'id';
  value: string;
}

export interface ScimListResponse {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: ScimUserResource[];
}

const KIND_FOR: Record<OwnerStatus, IdentityLifecycleEvent['kind']> = {
  active: 'owner.reinstated',
  suspended: 'owner.suspended',
  terminated: 'owner.terminated',
};

/**
 * SCIM 2.0 Users over the owner registry. Profile attributes change the owner directly (audited); `active`
 * and DELETE never change the status here: they become identity.lifecycle.v1 events, reported only when
 * they differ from the status the owner has or is about to have, with an id derived from the owner, that
 * expectation and the request, so that a retried request reports nothing twice.
 */
@Injectable()
export class ScimUsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directory: OwnersRepository,
    private readonly owners: OwnersService,
    private readonly reporter: LifecycleReporter,
    private readonly reportIds: ReportIds,
    @Inject(SERVICE_ENV) private readonly env: ProvisionerEnv,
  ) {}

  async get(id: string, caller: ScimCaller): Promise<ScimUserResource> {
    const owner = await this.directory.findById(id);
    if (!owner) throw ScimError.notFound(id);
    return renderScimUser(owner, caller.baseUrl);
  }

  async list(filter: ScimFilter | undefined, startIndex: number, count: number, caller: ScimCaller): Promise<ScimListResponse> {
    const params: unknown[] = [];
    let where = '';
    if (filter?.attribute === 'id') where = `WHERE o."id" = $${params.push(filter.value)}`;
    if (filter?.attribute === 'username' || filter?.attribute === 'externalid') {
      const source = filter.attribute === 'username' ? SCIM_USERNAME_SOURCE : SCIM_SOURCE;
      const match = filter.attribute === 'username' ? `lower(i."external_id") = lower($2)` : `i."external_id" = $2`;
      params.push(source, filter.value);
      where = `WHERE o."id" IN (SELECT i."owner_id" FROM "provisioner"."owner_identities" i WHERE i."source" = $1 AND ${match})`;
    }
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS "total" FROM "provisioner"."owners" o ${where}`, params);
    const ids: Array<{ id: string }> = await this.dataSource.query(
      `SELECT o."id" FROM "provisioner"."owners" o ${where} ORDER BY o."id" OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, startIndex - 1, count],
    );
    const owners = await Promise.all(ids.map((r) => this.directory.getById(r.id)));
    return {
      schemas: [SCIM_LIST_RESPONSE_SCHEMA],
      totalResults: total,
      startIndex,
      itemsPerPage: owners.length,
      Resources: owners.map((o) => renderScimUser(o, caller.baseUrl)),
    };
  }

  create(input: ScimUserInput, rawBody: unknown, caller: ScimCaller): Promise<ScimUserResource> {
    return this.dataSource.transaction(async (tx) => {
      await this.assertUserNameFree(tx, input.userName);
      if (input.externalId) await this.assertExternalIdFree(tx, input.externalId);
      const owner = await this.owners.createIn(
        tx,
        {
          ...input.profile,
          identities: [
            { source: SCIM_USERNAME_SOURCE, externalId: input.userName },
            ...(input.externalId ? [{ source: SCIM_SOURCE, externalId: input.externalId }] : []),
          ],
        },
        apiCause(caller.subject),
      );
      const active = input.active === false ? await this.requestStatus(tx, owner, false, 'POST', rawBody, caller) : true;
      return renderScimUser(owner, caller.baseUrl, active);
    });
  }

  replace(id: string, input: ScimUserInput, rawBody: unknown, caller: ScimCaller): Promise<ScimUserResource> {
    return this.withOwner(id, async (tx, owner) => {
      const cause = apiCause(caller.subject);
      await this.setUserName(tx, owner.id, input.userName, caller);
      await this.setExternalId(tx, owner.id, input.externalId ?? null, caller);
      const updated = await this.owners.updateProfileIn(tx, owner.id, input.profile, cause);
      const active = input.active === undefined ? undefined : await this.requestStatus(tx, updated, input.active, 'PUT', rawBody, caller);
      return renderScimUser(updated, caller.baseUrl, active);
    });
  }

  patch(id: string, changes: ScimUserChanges, rawBody: unknown, caller: ScimCaller): Promise<ScimUserResource> {
    return this.withOwner(id, async (tx, owner) => {
      if (changes.userName !== undefined) await this.setUserName(tx, owner.id, changes.userName, caller);
      if (changes.externalId !== undefined) await this.setExternalId(tx, owner.id, changes.externalId, caller);
      const updated = Object.keys(changes.profile).length
        ? await this.owners.updateProfileIn(tx, owner.id, changes.profile, apiCause(caller.subject))
        : await this.directory.getById(owner.id, tx);
      const active = changes.active === undefined ? undefined : await this.requestStatus(tx, updated, changes.active, 'PATCH', rawBody, caller);
      return renderScimUser(updated, caller.baseUrl, active);
    });
  }

  async delete(id: string, caller: ScimCaller): Promise<void> {
    await this.withOwner(id, (tx, owner) => this.requestStatus(tx, owner, 'terminated', 'DELETE', null, caller));
  }

  /**
   * Reports the change to `desired` unless the owner has (or is about to have) that status already; a
   * terminated owner is not suspended by a later deactivation. Returns the `active` the client should see.
   */
  private async requestStatus(
    tx: EntityManager,
    owner: Owner,
    desired: boolean | 'terminated',
    method: string,
    rawBody: unknown,
    caller: ScimCaller,
  ): Promise<boolean> {
    const target: OwnerStatus = desired === true ? 'active' : desired === false ? this.env.SCIM_DEACTIVATE_MEANS : 'terminated';
    const expected = await this.reporter.expectedStatus(tx, owner);
    const redundant = expected.status === target || (target !== 'active' && expected.status === 'terminated');
    if (!redundant) {
      const kind = KIND_FOR[target];
      const externalId = externalIdForEvent(owner.identities.find((i) => i.source === SCIM_SOURCE)?.externalId);
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
    return target === 'active';
  }

  private async withOwner<T>(id: string, work: (tx: EntityManager, owner: Owner) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      const [row] = await tx.query(`SELECT "id" FROM "provisioner"."owners" WHERE "id" = $1 FOR UPDATE`, [id]);
      if (!row) throw ScimError.notFound(id);
      return work(tx, await this.directory.getById(id, tx));
    });
  }

  private async setUserName(tx: EntityManager, ownerId: string, userName: string, caller: ScimCaller): Promise<void> {
    await this.assertUserNameFree(tx, userName, ownerId);
    await this.owners.unlinkSourceIn(tx, ownerId, SCIM_USERNAME_SOURCE, userName, apiCause(caller.subject));
    await this.owners.linkIdentityIn(tx, ownerId, { source: SCIM_USERNAME_SOURCE, externalId: userName }, apiCause(caller.subject));
  }

  private async setExternalId(tx: EntityManager, ownerId: string, externalId: string | null, caller: ScimCaller): Promise<void> {
    if (externalId) await this.assertExternalIdFree(tx, externalId, ownerId);
    await this.owners.unlinkSourceIn(tx, ownerId, SCIM_SOURCE, externalId ?? undefined, apiCause(caller.subject));
    if (externalId) await this.owners.linkIdentityIn(tx, ownerId, { source: SCIM_SOURCE, externalId }, apiCause(caller.subject));
  }

  private async assertUserNameFree(tx: EntityManager, userName: string, exceptOwner?: string): Promise<void> {
    const [taken] = await tx.query(
      `SELECT "owner_id" FROM "provisioner"."owner_identities" WHERE "source" = $1 AND lower("external_id") = lower($2) AND ($3::text IS NULL OR "owner_id" <> $3) LIMIT 1`,
      [SCIM_USERNAME_SOURCE, userName, exceptOwner ?? null],
    );
    if (taken) throw ScimError.uniqueness('userName is already in use');
  }

  private async assertExternalIdFree(tx: EntityManager, externalId: string, exceptOwner?: string): Promise<void> {
    const [taken] = await tx.query(
      `SELECT "owner_id" FROM "provisioner"."owner_identities" WHERE "source" = $1 AND "external_id" = $2 AND ($3::text IS NULL OR "owner_id" <> $3)`,
      [SCIM_SOURCE, externalId, exceptOwner ?? null],
    );
    if (taken) throw ScimError.uniqueness('externalId is already in use');
  }
}

/** Owner errors the SCIM surface can meet, in SCIM's terms. */
export function scimErrorFromOwnerError(error: OwnerError): ScimError {
  if (error.code === OwnerErrorCode.IdentityTaken || error.code === OwnerErrorCode.OwnerExists) return ScimError.uniqueness(error.message);
  if (error.code === OwnerErrorCode.OwnerNotFound) return new ScimError(404, error.message);
  return ScimError.invalidValue(error.message);
}
