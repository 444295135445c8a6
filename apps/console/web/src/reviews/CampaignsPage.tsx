import { FormEvent, useState } from 'react';

import { RISK_TIERS } from '../agents/agent-types';
import { ApiProblem } from '../api/api-client';
import { useApi } from '../api/use-api';
import { Link, navigate } from '../app/router';
import { auditTrailOf } from '../common/audit-trail';
import { RefusalMessage } from '../common/RefusalMessage';
import { daysFromNow } from '../common/time-words';
import { asProblem, useLoad } from '../common/use-load';
import { When } from '../common/When';
import { agentName, useDirectory } from '../directory/directory';
import { CampaignProgress, Review } from './review-types';

/** Campaigns shown with their progress at once (the newest). */
const SHOWN_CAMPAIGNS = 20;
const DAY_MS = 86_400_000;

const CAMPAIGN_REFUSALS = {
  forbidden: 'Campaigns and reports are for admins.',
  codes: {
    NO_MATCHING_AGENTS: 'No live agent matches this filter: nothing to certify.',
    CAMPAIGN_TOO_LARGE: 'More than 5,000 agents match: narrow the filter, or start several campaigns.',
  },
};

/** Admins' certification campaigns (started here, with their progress) and the review-scheduler's reports. */
export function CampaignsPage() {
  const api = useApi();
  const [campaigns] = useLoad(async () => {
    // Campaigns are not listed by the review-scheduler; its audit trail records each one started.
    const started = await auditTrailOf(api, 'review-scheduler', { subjectType: 'campaign' });
    const ids = [...new Set(started.items.filter((r) => r.action === 'campaign.started').map((r) => r.subjectId))].reverse();
    return Promise.all(ids.slice(0, SHOWN_CAMPAIGNS).map((id) => api.get<CampaignProgress>('review-scheduler', `/campaigns/${id}`)));
  }, [api]);
  return (
    <section aria-labelledby="campaigns-title">
      <h1 id="campaigns-title">Campaigns and reports</h1>
      <StartCampaign />
      <section aria-labelledby="campaign-list-title" className="panel">
        <h2 id="campaign-list-title">Campaigns</h2>
        {campaigns.state === 'loading' ? (
          <p role="status">Reading the campaigns…</p>
        ) : campaigns.state === 'failed' ? (
          <RefusalMessage problem={campaigns.problem} context={CAMPAIGN_REFUSALS} />
        ) : campaigns.value.length === 0 ? (
          <p>No campaign was started yet.</p>
        ) : (
          <CampaignTable campaigns={campaigns.value} />
        )}
      </section>
      <Reports />
    </section>
  );
}

function CampaignTable({ campaigns }: { campaigns: readonly CampaignProgress[] }) {
  const now = Date.now();
  return (
    <table>
      <caption className="visually-hidden">Campaigns, newest first, with their progress</caption>
      <thead>
        <tr>
          <th scope="col">Campaign</th>
          <th scope="col">Progress</th>
          <th scope="col">Open</th>
          <th scope="col">Overdue</th>
          <th scope="col">Certified</th>
          <th scope="col">Revoked</th>
          <th scope="col">Suspended</th>
          <th scope="col">Due</th>
        </tr>
      </thead>
      <tbody>
        {campaigns.map((c) => (
          <tr key={c.id}>
            <th scope="row">
              <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
              <div className="muted">{filterWords(c.filter)}</div>
            </th>
            <td>
              <CampaignBar campaign={c} />
            </td>
            <td>{c.open}</td>
            <td>{c.overdue}</td>
            <td>{c.certified}</td>
            <td>{c.revoked}</td>
            <td>{c.suspended}</td>
            <td>
              <When iso={c.dueAt}>{daysFromNow(c.dueAt, now)}</When>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The share of a campaign's reviews closed, as a labelled bar and in words. */
export function CampaignBar({ campaign }: { campaign: CampaignProgress }) {
  const done = campaign.total - campaign.open;
  return (
    <div className="campaign-bar">
      <progress value={done} max={Math.max(1, campaign.total)} aria-label={`${campaign.name}: ${done} of ${campaign.total} reviews done`} />
      <span>
        {done} of {campaign.total} done ({Math.round(campaign.progress * 100)}%)
      </span>
    </div>
  );
}

export function filterWords(filter: CampaignProgress['filter']): string {
  const parts = [filter.ownerId && `owner ${filter.ownerId}`, filter.riskTier && `${filter.riskTier} risk`, filter.platform && `on ${filter.platform}`].filter(
    Boolean,
  );
  return `Agents: ${parts.join(', ')}`;
}

function StartCampaign() {
  const api = useApi();
  const [name, setName] = useState('');
  const [ownerId, setOwnerId] = useState('');
  const [riskTier, setRiskTier] = useState('');
  const [platform, setPlatform] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const filter = {
    ...(ownerId.trim() ? { ownerId: ownerId.trim() } : {}),
    ...(riskTier ? { riskTier } : {}),
    ...(platform.trim() ? { platform: platform.trim() } : {}),
  };
  const ready = name.trim() !== '' && Object.keys(filter).length > 0;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const started = await api.post<CampaignProgress>('review-scheduler', '/campaigns', { name: name.trim(), filter });
      navigate(`/campaigns/${started.id}`);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="start-campaign-title" className="panel">
      <h2 id="start-campaign-title">Start a campaign</h2>
      <p className="muted">
        Opens a review of every live agent that matches (by owner, risk tier or platform: at least one), each due on the campaign&apos;s date.
      </p>
      <form className="filters" aria-labelledby="start-campaign-title" onSubmit={submit}>
        <label>
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} placeholder="Q3 high-risk certification" />
        </label>
        <label>
          <span>Owner id</span>
          <input value={ownerId} onChange={(e) => setOwnerId(e.target.value)} placeholder="any owner" />
        </label>
        <label>
          <span>Risk tier</span>
          <select value={riskTier} onChange={(e) => setRiskTier(e.target.value)}>
            <option value="">Any tier</option>
            {RISK_TIERS.map((t) => (
              <option key={t} value={t}>
                {`${t[0].toUpperCase()}${t.slice(1)} risk`}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Platform</span>
          <input value={platform} onChange={(e) => setPlatform(e.target.value)} placeholder="any platform" />
        </label>
        <button type="submit" className="primary" disabled={busy || !ready}>
          {busy ? 'Starting…' : 'Start the campaign'}
        </button>
      </form>
      <div aria-live="polite">{problem && <RefusalMessage problem={problem} action="Start the campaign" context={CAMPAIGN_REFUSALS} />}</div>
    </section>
  );
}

interface Reported {
  overdue: Review[];
  ownerless: Array<{ agentId: string; ownerId: string; ownerStatus: string; riskTier: string }>;
  rotation: { maxAgeDays: number; items: Array<{ agentId: string; credentialsRotatedAt: string }> };
  decisions: Array<{ day: string; decision: string; count: number }>;
}

function Reports() {
  const api = useApi();
  const directory = useDirectory();
  const [reports] = useLoad(async (): Promise<Reported> => {
    const to = new Date();
    const from = new Date(to.getTime() - 30 * DAY_MS);
    const period = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
    const [overdue, ownerless, rotation, certifications] = await Promise.all([
      api.get<{ items: Review[] }>('review-scheduler', '/reports/overdue'),
      api.get<{ items: Reported['ownerless'] }>('review-scheduler', '/reports/agents-without-active-owner'),
      api.get<Reported['rotation']>('review-scheduler', '/reports/credentials-due-rotation'),
      api.get<{ days: Reported['decisions'] }>('review-scheduler', `/reports/certifications?${period.toString()}`),
    ]);
    return { overdue: overdue.items, ownerless: ownerless.items, rotation, decisions: certifications.days };
  }, [api]);
  if (reports.state === 'loading') return <p role="status">Reading the reports…</p>;
  if (reports.state === 'failed') return <RefusalMessage problem={reports.problem} context={CAMPAIGN_REFUSALS} />;
  const { overdue, ownerless, rotation, decisions } = reports.value;
  const total = (decision: string) => decisions.filter((d) => d.decision === decision).reduce((n, d) => n + d.count, 0);
  return (
    <section aria-labelledby="reports-title" className="panel">
      <h2 id="reports-title">Reports</h2>
      <div className="report-grid">
        <div>
          <h3>Decisions in the last 30 days</h3>
          <p>
            {total('certify')} certified, {total('revoke')} revoked, {total('suspend')} suspended for want of a decision.
          </p>
        </div>
        <div>
          <h3>Overdue reviews ({overdue.length})</h3>
          {overdue.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul className="plain-list">
              {overdue.slice(0, 10).map((r) => (
                <li key={r.id}>
                  <Link to={`/reviews/${r.id}`}>{agentName(directory.agent(r.agentId), r.agentId)}</Link>{' '}
                  <span className="muted">
                    due <When iso={r.dueAt} />, reviewer {r.reviewerId}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>Live agents whose owner is gone ({ownerless.length})</h3>
          {ownerless.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul className="plain-list">
              {ownerless.slice(0, 10).map((a) => (
                <li key={a.agentId}>
                  <Link to={`/agents/${a.agentId}`}>{agentName(directory.agent(a.agentId), a.agentId)}</Link>{' '}
                  <span className="muted">
                    owner {a.ownerId} {a.ownerStatus}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3>
            Credentials older than {rotation.maxAgeDays} days ({rotation.items.length})
          </h3>
          {rotation.items.length === 0 ? (
            <p>None: every live agent&apos;s secret is recent enough.</p>
          ) : (
            <ul className="plain-list">
              {rotation.items.slice(0, 10).map((a) => (
                <li key={a.agentId}>
                  <Link to={`/agents/${a.agentId}`}>{agentName(directory.agent(a.agentId), a.agentId)}</Link>{' '}
                  <span className="muted">
                    secret from <When iso={a.credentialsRotatedAt} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
