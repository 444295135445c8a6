import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';

import { CurrentPrincipal, Principal, Roles } from '@agentgov/auth';
import { createRequestValidator } from '@agentgov/service-runtime';

import { apiCause } from '../common/cause';
import { OWNER_ID } from './owners.schemas';
import { UnmatchedSignal, UnmatchedSignals } from './unmatched-signals';

const validateQuery = createRequestValidator<{ status?: UnmatchedSignal['status']; limit?: string; before?: string }>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      status: { type: 'string', enum: ['pending', 'applied', 'dismissed'] },
      limit: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|[1-4][0-9][0-9]|500)$' },
      before: { type: 'string', format: 'date-time', maxLength: 64 },
    },
  },
  'query string',
);
const validateId = createRequestValidator<string>({ type: 'string', format: 'uuid' }, 'signal id');
const validateResolve = createRequestValidator<{ ownerId: string; reason: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['ownerId', 'reason'],
  properties: { ownerId: OWNER_ID, reason: { type: 'string', minLength: 1, maxLength: 1000 } },
});
const validateDismiss = createRequestValidator<{ reason: string }>({
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } },
});

/**
 * The identity lifecycle signals that named no owner or several (see UnmatchedSignals): SOC analysts and admins
 * see them; an admin names the owner one meant (applying it) or dismisses it, with a reason, audited.
 */
@Controller('identity-signals')
@Roles('admin', 'soc-analyst')
export class IdentitySignalsController {
  constructor(private readonly signals: UnmatchedSignals) {}

  @Get()
  async list(@Query() query: unknown): Promise<{ items: SignalView[] }> {
    const q = validateQuery(query);
    const items = await this.signals.list({ status: q.status, limit: q.limit ? Number(q.limit) : 100, before: q.before ? new Date(q.before) : undefined });
    return { items: items.map(view) };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<SignalView> {
    return view(await this.signals.get(validateId(id)));
  }

  /** The owner the signal meant, named by an admin: the signal is reported for that owner now. */
  @Post(':id/resolve')
  @Roles('admin')
  @HttpCode(200)
  async resolve(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<SignalView> {
    const { ownerId, reason } = validateResolve(body);
    return view(await this.signals.resolve(validateId(id), ownerId, apiCause(principal.subject), reason));
  }

  @Post(':id/dismiss')
  @Roles('admin')
  @HttpCode(200)
  async dismiss(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<SignalView> {
    const { reason } = validateDismiss(body);
    return view(await this.signals.dismiss(validateId(id), apiCause(principal.subject), reason));
  }
}

type SignalView = Omit<UnmatchedSignal, 'occurredAt' | 'receivedAt' | 'resolvedAt'> & {
  occurredAt: string;
  receivedAt: string;
  resolvedAt: string | null;
};

function view(signal: UnmatchedSignal): SignalView {
  return {
    ...signal,
    occurredAt: signal.occurredAt.toISOString(),
    receivedAt: signal.receivedAt.toISOString(),
    resolvedAt: signal.resolvedAt?.toISOString() ?? null,
  };
}
