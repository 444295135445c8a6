import { useApi } from '../api/use-api';
import { Link, navigate, useLocation } from '../app/router';
import { RefusalMessage } from '../common/RefusalMessage';
import { useRoles, useSubject } from '../common/roles';
import { useLoad } from '../common/use-load';
import { When } from '../common/When';
import { agentName, useDirectory } from '../directory/directory';
import { dueWords, groupByUrgency, outcomeWords, queuePath, QueueView, reasonWords, reviewsInView, URGENCY_WORDS } from './review-queue';
import { ADMIN_REVIEW_QUEUE, Review } from './review-types';

const VIEWS: Array<[QueueView, string]> = [
  ['mine', 'My reviews'],
  ['admins', 'The admins’ queue'],
  ['everyone', 'Everyone’s'],
];

/**
 * The signed-in person's review queue, most pressing first; an admin can also look at the admins' queue (high-risk
 * reviews nobody else can take) and everyone's. Each review opens on its own page to be decided.
 */
export function ReviewsPage() {
  const api = useApi();
  const me = useSubject();
  const admin = useRoles().includes('admin');
  const { search } = useLocation();
  const view: QueueView = admin && (search.get('view') === 'admins' || search.get('view') === 'everyone') ? (search.get('view') as QueueView) : 'mine';
  const decided = search.get('decided') === 'true';
  const [reviews] = useLoad(() => api.get<{ items: Review[] }>('review-scheduler', queuePath(view, me, decided)), [api, view, me, decided]);
  const go = (next: { view?: QueueView; decided?: boolean }) => {
    const query = new URLSearchParams();
    const v = next.view ?? view;
    if (v !== 'mine') query.set('view', v);
    if (next.decided ?? decided) query.set('decided', 'true');
    navigate(`/reviews${query.toString() ? `?${query.toString()}` : ''}`, { replace: true });
  };
  const now = Date.now();
  const shown = reviews.state === 'done' ? reviewsInView(reviews.value.items, view, me, decided) : [];

  return (
    <section aria-labelledby="reviews-title">
      <h1 id="reviews-title">Reviews</h1>
      <p className="lead">
        Certify that each agent still needs its access, removing the scopes it does not use, or revoke it. Undecided reviews are reminded, escalated and, in the
        end, the agent is suspended.
      </p>
      <form className="filters" aria-label="Which reviews" onSubmit={(e) => e.preventDefault()}>
        {admin && (
          <label>
            <span>Queue</span>
            <select value={view} onChange={(e) => go({ view: e.target.value as QueueView })}>
              {VIEWS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          <span>Show</span>
          <select value={decided ? 'decided' : 'open'} onChange={(e) => go({ decided: e.target.value === 'decided' })}>
            <option value="open">To decide</option>
            <option value="decided">Decided</option>
          </select>
        </label>
      </form>
      {reviews.state === 'loading' ? (
        <p role="status">Reading the reviews…</p>
      ) : reviews.state === 'failed' ? (
        <RefusalMessage problem={reviews.problem} context={{ forbidden: 'Reviews are for reviewers and admins.' }} />
      ) : shown.length === 0 ? (
        <p className="empty-state">{decided ? 'Nothing decided here yet.' : 'Nothing to review: this queue is empty.'}</p>
      ) : decided ? (
        <ReviewTable reviews={shown} now={now} caption="Decided reviews, latest first" decided showReviewer={view !== 'mine'} />
      ) : (
        groupByUrgency(shown, now).map((group) => (
          <section key={group.urgency} aria-labelledby={`urgency-${group.urgency}`} className="panel">
            <h2 id={`urgency-${group.urgency}`}>
              {URGENCY_WORDS[group.urgency]} ({group.reviews.length})
            </h2>
            <ReviewTable reviews={group.reviews} now={now} caption={`${URGENCY_WORDS[group.urgency]}, soonest due first`} showReviewer={view !== 'mine'} />
          </section>
        ))
      )}
    </section>
  );
}

function ReviewTable({
  reviews,
  now,
  caption,
  decided = false,
  showReviewer,
}: {
  reviews: readonly Review[];
  now: number;
  caption: string;
  decided?: boolean;
  showReviewer: boolean;
}) {
  const directory = useDirectory();
  return (
    <table className="reviews">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">Why</th>
          <th scope="col">{decided ? 'Outcome' : 'Due'}</th>
          {showReviewer && <th scope="col">Reviewer</th>}
          <th scope="col">Proposed removals</th>
        </tr>
      </thead>
      <tbody>
        {reviews.map((review) => (
          <tr key={review.id} data-review-id={review.id}>
            <th scope="row">
              <Link to={`/reviews/${review.id}`}>{agentName(directory.agent(review.agentId), review.agentId)}</Link>
            </th>
            <td>{reasonWords(review.reason)}</td>
            <td>
              {decided ? (
                <>
                  {outcomeWords(review)}
                  {review.closedAt && (
                    <div className="muted">
                      <When iso={review.closedAt} />
                    </div>
                  )}
                </>
              ) : (
                <>
                  <When iso={review.dueAt}>{dueWords(review, now)}</When>
                  {review.state !== 'open' && <div className="muted">{review.state}</div>}
                </>
              )}
            </td>
            {showReviewer && <td>{review.reviewerId === ADMIN_REVIEW_QUEUE ? 'the admins' : review.reviewerId}</td>}
            <td>{review.proposedScopeRemovals.length === 0 ? '—' : review.proposedScopeRemovals.join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
