import { useApi } from '../api/use-api';
import { Link } from '../app/router';
import { RefusalMessage } from '../common/RefusalMessage';
import { useLoad } from '../common/use-load';
import { When } from '../common/When';
import { agentName, useDirectory } from '../directory/directory';
import { CampaignBar, filterWords } from './CampaignsPage';
import { dueWords, outcomeWords, reasonWords } from './review-queue';
import { ADMIN_REVIEW_QUEUE, CampaignProgress, Review } from './review-types';

/** One campaign: its progress and outcome so far, and each of its reviews. */
export function CampaignPage({ campaignId }: { campaignId: string }) {
  const api = useApi();
  const directory = useDirectory();
  const [campaign] = useLoad(async () => {
    const [progress, open, closed] = await Promise.all([
      api.get<CampaignProgress>('review-scheduler', `/campaigns/${encodeURIComponent(campaignId)}`),
      api.get<{ items: Review[] }>('review-scheduler', '/reviews'),
      api.get<{ items: Review[] }>('review-scheduler', '/reviews?state=closed'),
    ]);
    return { progress, reviews: [...open.items, ...closed.items].filter((r) => r.campaignId === campaignId) };
  }, [api, campaignId]);
  if (campaign.state === 'loading') return <p role="status">Loading the campaign…</p>;
  if (campaign.state === 'failed')
    return (
      <RefusalMessage
        problem={campaign.problem}
        context={{ forbidden: 'Campaigns are for admins.', codes: { CAMPAIGN_NOT_FOUND: 'There is no such campaign.' } }}
      />
    );
  const { progress: c, reviews } = campaign.value;
  const now = Date.now();
  return (
    <article aria-labelledby="campaign-title">
      <p className="breadcrumb">
        <Link to="/campaigns">← Campaigns and reports</Link>
      </p>
      <h1 id="campaign-title">{c.name}</h1>
      <p className="lead">
        {filterWords(c.filter)} · started by {c.createdBy} <When iso={c.createdAt} /> · due <When iso={c.dueAt} />
      </p>
      <section aria-labelledby="progress-title" className="panel">
        <h2 id="progress-title">Progress</h2>
        <CampaignBar campaign={c} />
        <dl className="facts counts">
          <dt>Reviews</dt>
          <dd>{c.total}</dd>
          <dt>Still open</dt>
          <dd>{c.open}</dd>
          <dt>Of which overdue</dt>
          <dd>{c.overdue}</dd>
          <dt>Certified</dt>
          <dd>{c.certified}</dd>
          <dt>Revoked</dt>
          <dd>{c.revoked}</dd>
          <dt>Suspended (nobody decided in time)</dt>
          <dd>{c.suspended}</dd>
          <dt>Closed without a decision</dt>
          <dd>{c.closedWithoutDecision}</dd>
        </dl>
      </section>
      <section aria-labelledby="campaign-reviews-title" className="panel">
        <h2 id="campaign-reviews-title">Its reviews</h2>
        {reviews.length === 0 ? (
          <p>None of its reviews is in the lists the review-scheduler gives at once.</p>
        ) : (
          <table>
            <caption className="visually-hidden">The campaign&apos;s reviews</caption>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Reviewer</th>
                <th scope="col">Where it stands</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {reviews.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <Link to={`/reviews/${r.id}`}>{agentName(directory.agent(r.agentId), r.agentId)}</Link>
                  </th>
                  <td>{r.reviewerId === ADMIN_REVIEW_QUEUE ? 'the admins' : r.reviewerId}</td>
                  <td>{r.state === 'closed' ? outcomeWords(r) : `${r.state}, ${dueWords(r, now)}`}</td>
                  <td>{reasonWords(r.reason)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </article>
  );
}
