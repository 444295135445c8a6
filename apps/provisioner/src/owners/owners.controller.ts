import { randomUUID } from 'node:crypto';

import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { assertPlausibleEventTime, OwnerStatus } from '@agentgov/contracts';
import { createRequestValidator } from '@agentgov/service-runtime';

import { apiCause } from '../common/cause';
import { IdentityLifecycleEvent, LifecycleReporter } from './lifecycle-reporter';
import { Owner, OwnerIdentity, OwnerProfile } from './owner';
import { OwnerError } from './owners.errors';
import { OwnersRepository } from './owners.repository';
import {
  CREATE_OWNER_SCHEMA,
  LIFECYCLE_EVENT_SCHEMA,
  LIST_OWNERS_QUERY_SCHEMA,
  OWNER_ID,
  REPLACE_IDENTITIES_SCHEMA,
  UPDATE_OWNER_SCHEMA,
} from './owners.schemas';
import { CreateOwnerInput, OwnersService } from './owners.service';
import { ReportIds } from './report-ids';

const validateCreate = createRequestValidator<CreateOwnerInput>(CREATE_OWNER_SCHEMA);
const validateUpdate = createRequestValidator<OwnerProfile>(UPDATE_OWNER_SCHEMA);
const validateIdentities = createRequestValidator<{ identities: OwnerIdentity[] }>(REPLACE_IDENTITIES_SCHEMA);
const validateListQuery = createRequestValidator<{ status?: OwnerStatus; limit?: string; cursor?: string }>(LIST_OWNERS_QUERY_SCHEMA, 'query string');
const validateLifecycle = createRequestValidator<{
  kind: IdentityLifecycleEvent['kind'];
  occurredAt?: string;
  reason?: string;
  newManagerId?: string;
  newTeam?: string;
  source?: string;
}>(LIFECYCLE_EVENT_SCHEMA);
const validateOwnerId = createRequestValidator<string>(OWNER_ID, 'owner id');
const validateIdempotencyKey = createRequestValidator<string>({ type: 'string', minLength: 1, maxLength: 200 }, 'Idempotency-Key header');

const READERS = ['admin', 'ingest', 'soc-analyst', 'reviewer', 'read-owners'] as const;

@Controller('owners')
@Roles('admin', 'ingest')
export class OwnersController {
  constructor(
    private readonly owners: OwnersService,
    private readonly directory: OwnersRepository,
    private readonly reporter: LifecycleReporter,
    private readonly reportIds: ReportIds,
  ) {}

  @Post()
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<OwnerView> {
    return view(await this.owners.create(validateCreate(body), apiCause(principal.subject)));
  }

  @Get()
  @Roles(...READERS)
  async list(@Query() query: unknown): Promise<{ items: OwnerView[]; nextCursor?: string }> {
    const q = validateListQuery(query ?? {});
    const page = await this.directory.list({ status: q.status, limit: q.limit ? Number(q.limit) : 50, cursor: q.cursor });
    return { items: page.items.map(view), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  @Get(':id')
  @Roles(...READERS)
  async get(@Param('id') id: string): Promise<OwnerView> {
    return view(await this.directory.getById(validateOwnerId(id)));
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<OwnerView> {
    return view(await this.owners.updateProfile(validateOwnerId(id), validateUpdate(body), apiCause(principal.subject)));
  }

  @Put(':id/identities')
  @Roles('admin', 'link-identities')
  async replaceIdentities(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<OwnerView> {
    const { identities } = validateIdentities(body);
    return view(await this.owners.replaceIdentities(validateOwnerId(id), identities, apiCause(principal.subject)));
  }

  /**
   * Reports a lifecycle change (HR systems without an IdP connector, operators). The owner's status changes
   * when the lifecycle consumer applies the event; the answer is the event's id. With an Idempotency-Key,
   * a retried request reports the same event once.
   */
  @Post(':id/lifecycle-events')
  @Roles('admin', 'owner-lifecycle')
  @HttpCode(202)
  async reportLifecycle(
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ eventId: string; duplicate: boolean; event: IdentityLifecycleEvent }> {
    const ownerId = validateOwnerId(id);
    const input = validateLifecycle(body);
    if (input.kind === 'owner.transferred' && !input.newManagerId && !input.newTeam) {
      throw OwnerError.invalidLifecycleEvent('owner.transferred needs newManagerId or newTeam.');
    }
    if (input.kind !== 'owner.transferred' && (input.newManagerId || input.newTeam)) {
      throw OwnerError.invalidLifecycleEvent('newManagerId and newTeam belong to owner.transferred only.');
    }
    const occurredAt = input.occurredAt ? new Date(input.occurredAt) : new Date();
    assertPlausibleEventTime(occurredAt, (detail) => OwnerError.invalidLifecycleEvent(`occurredAt ${detail}`));
    const owner = await this.directory.getById(ownerId);
    const data: IdentityLifecycleEvent = {
      kind: input.kind,
      ownerId: owner.id,
      source: input.source ?? 'manual',
      occurredAt: occurredAt.toISOString(),
      ...(input.reason ? { reason: input.reason } : {}),
      ...(input.newManagerId ? { newManagerId: input.newManagerId } : {}),
      ...(input.newTeam ? { newTeam: input.newTeam } : {}),
    };
    const eventId =
      idempotencyKey === undefined ? randomUUID() : this.reportIds.of('owners-api', principal.subject, owner.id, validateIdempotencyKey(idempotencyKey));
    const outcome = await this.reporter.report({ data, eventId, actor: { actorType: 'api', actor: principal.subject } });
    return { ...outcome, event: data };
  }
}

export interface OwnerView {
  id: string;
  email: string | null;
  phone: string | null;
  displayName: string | null;
  managerId: string | null;
  team: string | null;
  status: OwnerStatus;
  statusReason: string | null;
  statusChangedAt: string | null;
  createdAt: string;
  updatedAt: string;
  identities: OwnerIdentity[];
}

function view(owner: Owner): OwnerView {
  return {
    ...owner,
    statusChangedAt: owner.statusChangedAt?.toISOString() ?? null,
    createdAt: owner.createdAt.toISOString(),
    updatedAt: owner.updatedAt.toISOString(),
  };
}
