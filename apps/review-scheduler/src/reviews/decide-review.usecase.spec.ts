import { DataSource, EntityManager } from 'typeorm';

import { RiskTier } from '@agentgov/contracts';

import { ReviewClock } from '../clock/review-clock';
import { KnownAgent, RegistryRepository } from '../registry/registry.repository';
import { DecideReviewUseCase } from './decide-review.usecase';
import { ReviewChanges } from './review-changes';
import { Review } from './review-record';
import { ReviewError } from './reviews.errors';
import { ReviewsRepository } from './reviews.repository';

const AGENT_ID = '6f1c1a52-3f0e-4d7e-9a43-0b6f3b1c2d4e';

/** The use case over stand-ins: what it decides is whether `changes.decide` is reached. */
function decideWith(review: Review, agent: KnownAgent | undefined) {
  const tx = {} as EntityManager;
  const decide = jest.fn(async (_tx: EntityManager, r: Review, _agent: KnownAgent | undefined, _decision: { decision: string; decidedBy: string }) => ({
    ...r,
    state: 'closed' as const,
  }));
  const useCase = new DecideReviewUseCase(
    { transaction: (work: (tx: EntityManager) => Promise<unknown>) => work(tx) } as unknown as DataSource,
    { decide } as unknown as ReviewChanges,
    { lock: async () => review } as unknown as ReviewsRepository,
    { findAgent: async () => agent } as unknown as RegistryRepository,
    new ReviewClock(false),
  );
  return { decide, useCase };
}

const reviewFor = (reviewerId: string): Review => ({
  id: 'c3a6f7a2-0d7b-4f5e-8f61-6a4b1d2e3f40',
  agentId: AGENT_ID,
  ownerId: 'olivia',
  reviewerId,
  reason: 'scheduled',
  state: 'open',
  openedAt: new Date('2026-11-01T00:00:00Z'),
  dueAt: new Date('2026-11-15T00:00:00Z'),
  proposedScopeRemovals: [],
});
const agentOf = (riskTier: RiskTier, ownerId = 'olivia'): KnownAgent => ({ agentId: AGENT_ID, ownerId, riskTier, status: 'active', scopes: ['crm.read'] });

async function refusal(promise: Promise<unknown>): Promise<ReviewError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReviewError);
  return error as ReviewError;
}

describe('deciding a review: separation of duties at decision time', () => {
  it('refuses the owner of an agent that became high after its review was assigned to them, and changes nothing', async () => {
    const { decide, useCase } = decideWith(reviewFor('olivia'), agentOf('high'));
    const error = await refusal(useCase.execute({ reviewId: reviewFor('olivia').id, decision: 'certify', requester: { subject: 'olivia', admin: false } }));
    expect(error).toMatchObject({ status: 403, code: 'SEPARATION_OF_DUTIES' });
    expect(error.message).toContain('the owner of a high or critical agent may not certify or revoke it');
    expect(decide).not.toHaveBeenCalled();
  });

  it('refuses an owner who is an admin, to certify or to revoke, and one whose agent the scheduler does not know', async () => {
    for (const decision of ['certify', 'revoke'] as const) {
      const { decide, useCase } = decideWith(reviewFor('max'), agentOf('critical'));
      expect(await refusal(useCase.execute({ reviewId: reviewFor('max').id, decision, requester: { subject: 'olivia', admin: true } }))).toMatchObject({
        code: 'SEPARATION_OF_DUTIES',
      });
      expect(decide).not.toHaveBeenCalled();
    }
    const { useCase } = decideWith(reviewFor('olivia'), undefined);
    expect(
      await refusal(useCase.execute({ reviewId: reviewFor('olivia').id, decision: 'certify', requester: { subject: 'olivia', admin: false } })),
    ).toMatchObject({ code: 'SEPARATION_OF_DUTIES' });
  });

  it('the owner’s tier and ownership are the agent’s now: a new owner is refused, the former one (now its manager) may decide', async () => {
    const { decide, useCase } = decideWith(reviewFor('max'), agentOf('high', 'max'));
    expect(await refusal(useCase.execute({ reviewId: reviewFor('max').id, decision: 'certify', requester: { subject: 'max', admin: false } }))).toMatchObject({
      code: 'SEPARATION_OF_DUTIES',
    });
    expect(decide).not.toHaveBeenCalled();
    const former = decideWith(reviewFor('olivia'), agentOf('high', 'max'));
    await former.useCase.execute({ reviewId: reviewFor('olivia').id, decision: 'certify', requester: { subject: 'olivia', admin: false } });
    expect(former.decide).toHaveBeenCalledTimes(1);
  });

  it('lets the owner of a low or medium agent decide, and the manager, designated reviewer or another admin decide a high one', async () => {
    for (const tier of ['low', 'medium'] as const) {
      const { decide, useCase } = decideWith(reviewFor('olivia'), agentOf(tier));
      await useCase.execute({ reviewId: reviewFor('olivia').id, decision: 'certify', requester: { subject: 'olivia', admin: false } });
      expect(decide).toHaveBeenCalledTimes(1);
    }
    for (const [reviewer, requester] of [
      ['max', { subject: 'max', admin: false }],
      ['security-reviewer', { subject: 'security-reviewer', admin: false }],
      ['role:admin', { subject: 'ada', admin: true }],
    ] as const) {
      const { decide, useCase } = decideWith(reviewFor(reviewer), agentOf('critical'));
      await useCase.execute({ reviewId: reviewFor(reviewer).id, decision: 'revoke', requester });
      expect(decide.mock.calls[0][3]).toMatchObject({ decision: 'revoke', decidedBy: requester.subject });
    }
  });

  it('still reports someone else’s review as missing before saying anything about its agent', async () => {
    const { useCase } = decideWith(reviewFor('max'), agentOf('critical'));
    expect(
      await refusal(useCase.execute({ reviewId: reviewFor('max').id, decision: 'certify', requester: { subject: 'olivia', admin: false } })),
    ).toMatchObject({
      status: 404,
      code: 'REVIEW_NOT_FOUND',
    });
  });
});
