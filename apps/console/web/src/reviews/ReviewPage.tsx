import { useEffect, useState } from 'react';

import { RegistryAgent } from '../agents/agent-types';
import { ApiProblem } from '../api/api-client';
import { useApi } from '../api/use-api';
import { Link } from '../app/router';
import { RefusalMessage } from '../common/RefusalMessage';
import { useSubject } from '../common/roles';
import { StatusBadge } from '../common/StatusBadge';
import { daysFromNow } from '../common/time-words';
import { asProblem, useLoad } from '../common/use-load';
import { When } from '../common/When';
import { ReasonDialog } from '../components/ReasonDialog';
import { ownerName, useDirectory } from '../directory/directory';
import { DECISION_REFUSALS, decisionExplanation, dueWords, outcomeWords, reasonWords } from './review-queue';
import { Review } from './review-types';

/**
 * One review: the agent under review as the registry has it now, the scopes to keep or remove, and the decision.
 * The review-scheduler lists reviews (no single-review read): the page finds this one in the person's open, then
 * decided, reviews.
 */
export function ReviewPage({ reviewId }: { reviewId: string }) {
  const api = useApi();
  // The review as the decision left it (the lists would not show a just-closed one reliably).
  const [decided, setDecided] = useState<Review>();
  useEffect(() => setDecided(undefined), [reviewId]);
  const [found] = useLoad(async () => {
    const open = await api.get<{ items: Review[] }>('review-scheduler', '/reviews');
    const match = open.items.find((r) => r.id === reviewId);
    if (match) return match;
    const closed = await api.get<{ items: Review[] }>('review-scheduler', '/reviews?state=closed');
    return closed.items.find((r) => r.id === reviewId);
  }, [api, reviewId]);

  if (found.state === 'loading') return <p role="status">Loading the review…</p>;
  if (found.state === 'failed') return <RefusalMessage problem={found.problem} context={{ forbidden: 'Reviews are for reviewers and admins.' }} />;
  const review = decided ?? found.value;
  if (!review)
    return (
      <section className="empty-state">
        <h1>Review not found</h1>
        <p>
          This review is not in your queue: it may have been handed to someone else (escalated to a manager, for instance).{' '}
          <Link to="/reviews">Back to the reviews</Link>
        </p>
      </section>
    );
  return <ReviewView key={review.id} review={review} onDecided={setDecided} />;
}

function ReviewView({ review, onDecided }: { review: Review; onDecided(review: Review): void }) {
  const api = useApi();
  const me = useSubject();
  const directory = useDirectory();
  const [agent, reloadAgent] = useLoad(() => api.get<RegistryAgent>('provisioner', `/agents/${review.agentId}`), [api, review.agentId]);
  const [remove, setRemove] = useState<string[]>(review.proposedScopeRemovals);
  const [open, setOpen] = useState<'certify' | 'revoke'>();
  const [done, setDone] = useState<string>();
  const [problem, setProblem] = useState<{ problem: ApiProblem; action: string }>();
  const name = agent.state === 'done' ? agent.value.name : review.agentId;
  const now = Date.now();
  const decidable = review.state !== 'closed';
  const separated = agent.state === 'done' && agent.value.ownerId === me && (agent.value.riskTier === 'high' || agent.value.riskTier === 'critical');
  const toRemove = agent.state === 'done' ? remove.filter((s) => agent.value.scopes.includes(s)) : remove;

  const decide = async (decision: 'certify' | 'revoke', reason: string) => {
    setDone(undefined);
    setProblem(undefined);
    try {
      const decided = await api.post<Review>('review-scheduler', `/reviews/${review.id}/decision`, {
        decision,
        reason,
        ...(decision === 'certify' && toRemove.length ? { removeScopes: toRemove } : {}),
      });
      setDone(
        decision === 'certify'
          ? `Certified${toRemove.length ? `, without ${toRemove.join(', ')}` : ''}. The registry applies it in a moment; the next certification is scheduled.`
          : 'Revoked: the registry deprovisions the agent and its sub-agents in a moment.',
      );
      onDecided(decided);
    } catch (error) {
      const refusal = asProblem(error);
      setProblem({ problem: refusal, action: decision === 'certify' ? 'Certify' : 'Revoke' });
      if (refusal.code === 'UNKNOWN_SCOPES') reloadAgent();
    } finally {
      setOpen(undefined);
    }
  };

  return (
    <article aria-labelledby="review-title">
      <p className="breadcrumb">
        <Link to="/reviews">← Reviews</Link>
      </p>
      <h1 id="review-title">Review of {name}</h1>
      <p className="lead">
        {reasonWords(review.reason)} · {decidable ? <When iso={review.dueAt}>{dueWords(review, now)}</When> : outcomeWords(review)}
        {review.state !== 'open' && review.state !== 'closed' && <> · {review.state}</>} · opened{' '}
        <When iso={review.openedAt}>{daysFromNow(review.openedAt, now)}</When>
        {review.campaignId && <> · part of a campaign</>}
      </p>
      <div className="two-columns">
        <section aria-labelledby="reviewed-agent-title" className="panel">
          <h2 id="reviewed-agent-title">The agent</h2>
          {agent.state === 'loading' ? (
            <p role="status">Loading the agent…</p>
          ) : agent.state === 'failed' ? (
            <RefusalMessage problem={agent.problem} />
          ) : (
            <dl className="facts">
              <dt>Agent</dt>
              <dd>
                <Link to={`/agents/${agent.value.id}`}>{agent.value.name}</Link> <StatusBadge status={agent.value.status} />
              </dd>
              <dt>Risk tier</dt>
              <dd>{agent.value.riskTier}</dd>
              <dt>Does</dt>
              <dd>
                {agent.value.purpose} on {agent.value.platform}
              </dd>
              <dt>Owner</dt>
              <dd>
                <Link to={`/owners/${encodeURIComponent(agent.value.ownerId)}`}>{ownerName(directory.owner(agent.value.ownerId), agent.value.ownerId)}</Link>
              </dd>
              <dt>Expires</dt>
              <dd>{agent.value.expiresAt ? <When iso={agent.value.expiresAt} /> : 'never'}</dd>
            </dl>
          )}
        </section>
        <section aria-labelledby="decide-title" className="panel">
          <h2 id="decide-title">{decidable ? 'Your decision' : 'Decision'}</h2>
          {!decidable ? (
            <p>
              <strong>{outcomeWords(review)}</strong>
              {review.closedAt && (
                <>
                  {' '}
                  (<When iso={review.closedAt} />)
                </>
              )}
              .
            </p>
          ) : (
            <>
              {separated && (
                <p className="notice" role="note">
                  You own this {agent.state === 'done' ? agent.value.riskTier : ''}-risk agent: separation of duties lets its owner neither certify nor revoke
                  it. The owner&apos;s manager, the designated high-risk reviewer or an admin decides it.
                </p>
              )}
              {agent.state === 'done' && agent.value.scopes.length > 0 && (
                <fieldset className="scope-choices">
                  <legend>Scopes to remove if you certify</legend>
                  {agent.value.scopes.map((scope) => (
                    <label key={scope} className="choice">
                      <input
                        type="checkbox"
                        checked={remove.includes(scope)}
                        onChange={(e) => setRemove((current) => (e.target.checked ? [...current, scope] : current.filter((s) => s !== scope)))}
                      />
                      <span className="mono">{scope}</span>
                      {review.proposedScopeRemovals.includes(scope) && <span className="muted"> (not used lately: proposed for removal)</span>}
                    </label>
                  ))}
                </fieldset>
              )}
              <div className="decision-buttons">
                <button type="button" className="primary" onClick={() => setOpen('certify')}>
                  {toRemove.length ? `Certify without ${toRemove.length} scope${toRemove.length === 1 ? '' : 's'}` : 'Certify'}
                </button>
                <button type="button" className="danger" onClick={() => setOpen('revoke')}>
                  Revoke
                </button>
              </div>
            </>
          )}
          <div aria-live="polite">
            {done && <p className="success">{done}</p>}
            {problem && <RefusalMessage problem={problem.problem} action={problem.action} context={DECISION_REFUSALS} />}
          </div>
        </section>
      </div>
      {open && (
        <ReasonDialog
          title={open === 'certify' ? `Certify ${name}` : `Revoke ${name}`}
          explanation={decisionExplanation(open, toRemove)}
          confirmLabel={open === 'certify' ? 'Certify' : 'Revoke and deprovision'}
          onConfirm={(reason) => decide(open, reason)}
          onCancel={() => setOpen(undefined)}
        />
      )}
    </article>
  );
}
