import { useCallback, useEffect, useState } from 'react';

import { ApiProblem } from '../api/api-client';
import { openLiveStream } from '../api/live-stream';
import { useApi } from '../api/use-api';
import { Link } from '../app/router';
import { useSession } from '../auth/session';
import { ProblemMessage } from '../components/ProblemMessage';
import { ReasonDialog } from '../components/ReasonDialog';
import { Agent, agentName, ownerName, useDirectory } from '../directory/directory';
import { Baseline } from './activity-series';
import { ActivityChart } from './ActivityChart';
import { availableDecisions, Decision, DECISIONS } from './decisions';
import { IncidentAction, IncidentDetail } from './incident-types';
import { actionWords, describeFeature, formatDelay, whatHappened, whereItStands } from './incident-words';

/** One incident: who, what the agent did against what is usual, why it scored, what was done, the trail, the decisions. */
export function IncidentPage({ incidentId }: { incidentId: string }) {
  const api = useApi();
  const [incident, setIncident] = useState<IncidentDetail>();
  const [problem, setProblem] = useState<ApiProblem>();

  const load = useCallback(
    () =>
      api.get<IncidentDetail>('containment', `/incidents/${encodeURIComponent(incidentId)}`).then(
        (detail) => {
          setIncident(detail);
          setProblem(undefined);
        },
        (error: unknown) => setProblem(error instanceof ApiProblem ? error : undefined),
      ),
    [api, incidentId],
  );

  useEffect(() => {
    void load();
  }, [load]);

  // The incident as it changes (receipts arriving, another analyst's decision): its agent's live stream.
  const agentId = incident?.agentId;
  useEffect(() => {
    if (!agentId) return;
    return openLiveStream(api, 'containment', `/incidents/stream?agentId=${encodeURIComponent(agentId)}`, {
      onStatus: () => undefined,
      onEvent: (event, data) => {
        if ((event === 'incident' && (data as { incidentId: string }).incidentId === incidentId) || event === 'resync') void load();
      },
    });
  }, [api, agentId, incidentId, load]);

  if (problem) return <ProblemMessage problem={problem} />;
  if (!incident) return <p>Loading the incident…</p>;
  return (
    <article className="incident" aria-labelledby="incident-title">
      <p className="breadcrumb">
        <Link to="/incidents">← Incidents</Link>
      </p>
      <header className="incident-head">
        <h1 id="incident-title">{whatHappened(incident)}</h1>
        <p className="incident-status">
          <span className={`severity severity-${incident.severity}`}>{incident.severity}</span> <strong>{whereItStands(incident)}</strong>
          {incident.kind === 'behavior' && <> · score {incident.score.toFixed(3)}</>} · opened{' '}
          <time dateTime={incident.openedAt}>{new Date(incident.openedAt).toLocaleString()}</time>
          {incident.policyVersion !== null && <> · policy version {incident.policyVersion}</>}
        </p>
      </header>
      <Decisions incident={incident} onDecided={setIncident} />
      <div className="incident-grid">
        <WhoSection incident={incident} />
        <FeaturesSection incident={incident} />
      </div>
      <ActivitySection incident={incident} />
      <ActionsSection incident={incident} />
      <AuditSection incident={incident} />
    </article>
  );
}

function WhoSection({ incident }: { incident: IncidentDetail }) {
  const api = useApi();
  const directory = useDirectory();
  // Read again as the incident changes: the agent's status is what a containment or a release changes.
  const [agent, setAgent] = useState<{ state: 'loading' } | { state: 'found'; value: Agent } | { state: 'missing' }>({ state: 'loading' });
  useEffect(() => {
    api.get<Agent>('provisioner', `/agents/${encodeURIComponent(incident.agentId)}`).then(
      (value) => setAgent({ state: 'found', value }),
      () => setAgent({ state: 'missing' }),
    );
  }, [api, incident.agentId, incident.updatedAt]);
  const owner = incident.ownerId ? directory.owner(incident.ownerId) : undefined;
  return (
    <section aria-labelledby="who-title" className="panel">
      <h2 id="who-title">Agent and owner</h2>
      <dl className="facts">
        <dt>Agent</dt>
        <dd>
          {agentName(agent, incident.agentId)}
          {agent.state === 'missing' && incident.kind === 'shadow-agent' && <span className="muted"> (not in the registry)</span>}
        </dd>
        {agent.state === 'found' && (
          <>
            <dt>Status</dt>
            <dd>{agent.value.status}</dd>
            <dt>Risk tier</dt>
            <dd>{agent.value.riskTier}</dd>
            <dt>Purpose</dt>
            <dd>{[agent.value.purpose, agent.value.platform].filter(Boolean).join(' on ') || '—'}</dd>
            <dt>Scopes</dt>
            <dd>{agent.value.scopes.join(', ') || '—'}</dd>
          </>
        )}
        <dt>Owner</dt>
        <dd>
          {ownerName(owner, incident.ownerId)}
          {owner?.state === 'found' && owner.value.email && <span className="muted"> · {owner.value.email}</span>}
          {owner?.state === 'found' && <span className="muted"> · {owner.value.status}</span>}
        </dd>
        <dt>Agent id</dt>
        <dd className="mono">{incident.agentId}</dd>
      </dl>
    </section>
  );
}

function FeaturesSection({ incident }: { incident: IncidentDetail }) {
  const features = [...incident.explanation].sort((a, b) => b.contribution - a.contribution);
  return (
    <section aria-labelledby="features-title" className="panel">
      <h2 id="features-title">{incident.kind === 'behavior' ? `Why it scored ${incident.score.toFixed(3)}` : 'Why it was opened'}</h2>
      <p className="muted">{incident.summary}</p>
      {features.length === 0 ? (
        incident.kind === 'behavior' && <p>No feature explanation was given.</p>
      ) : (
        <table>
          <caption className="visually-hidden">The features that drove the score, highest share first</caption>
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">Usual</th>
              <th scope="col">This time</th>
              <th scope="col">Share of the score</th>
            </tr>
          </thead>
          <tbody>
            {features.map((feature) => {
              const words = describeFeature(feature);
              return (
                <tr key={feature.name}>
                  <th scope="row">{words.label}</th>
                  <td>{words.expected}</td>
                  <td>
                    <strong>{words.observed}</strong>
                  </td>
                  <td>{Math.round((feature.contribution / Math.max(incident.score, 0.001)) * 100)}%</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

const CHART_DAYS = [1, 3, 7] as const;

function ActivitySection({ incident }: { incident: IncidentDetail }) {
  const api = useApi();
  const [days, setDays] = useState<(typeof CHART_DAYS)[number]>(3);
  const [baseline, setBaseline] = useState<Baseline>();
  const [problem, setProblem] = useState<ApiProblem>();
  useEffect(() => {
    api
      .get<Baseline>('behavior-baseliner', `/agents/${encodeURIComponent(incident.agentId)}/baseline?days=${days}`)
      .then(setBaseline, (error: unknown) => setProblem(error instanceof ApiProblem ? error : undefined));
  }, [api, incident.agentId, incident.updatedAt, days]);
  return (
    <section aria-labelledby="activity-title" className="panel">
      <div className="panel-head">
        <h2 id="activity-title">Its activity against what is usual for it</h2>
        <label>
          <span>Show the last</span>{' '}
          <select value={days} onChange={(e) => setDays(Number(e.target.value) as (typeof CHART_DAYS)[number])}>
            {CHART_DAYS.map((d) => (
              <option key={d} value={d}>
                {d === 1 ? 'day' : `${d} days`}
              </option>
            ))}
          </select>
        </label>
      </div>
      {problem ? (
        problem.code === 'BASELINE_NOT_FOUND' ? (
          <p>The baseliner has not scored any activity of this agent.</p>
        ) : (
          <ProblemMessage problem={problem} />
        )
      ) : !baseline ? (
        <p>Loading its activity…</p>
      ) : (
        <ActivityChart baseline={baseline} incident={incident} />
      )}
    </section>
  );
}

const ORIGIN_WORDS: Record<string, string> = { policy: 'policy', analyst: 'an analyst', lifecycle: 'the registry', manual: 'an analyst' };

function ActionsSection({ incident }: { incident: IncidentDetail }) {
  return (
    <section aria-labelledby="actions-title" className="panel">
      <h2 id="actions-title">Actions and receipts</h2>
      {incident.actions.length === 0 ? (
        <p>No action was taken: the policy only alerted.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Every action and each connector&apos;s receipt, with its time from the anomaly</caption>
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">Decided</th>
              <th scope="col">System</th>
              <th scope="col">Receipt</th>
              <th scope="col">From the anomaly</th>
            </tr>
          </thead>
          {incident.actions.map((action) => (
            <ActionRows key={action.actionId} action={action} anomalyAt={incident.openedAt} />
          ))}
        </table>
      )}
    </section>
  );
}

/** One action (its own row group): what and who, when it was decided, then each connector's receipt and its time. */
function ActionRows({ action, anomalyAt }: { action: IncidentAction; anomalyAt: string }) {
  const who = action.origin
    ? `${ORIGIN_WORDS[action.origin] ?? action.origin}${action.requestedBy && action.origin !== 'policy' ? ` (${action.requestedBy})` : ''}`
    : '';
  const span = Math.max(1, action.receipts.length);
  const head = (
    <>
      <th scope="rowgroup" rowSpan={span}>
        {action.kind === 'contain' ? 'Contain' : action.kind === 'release' ? 'Release' : 'Deprovision'}
        <div className="muted">{actionWords(action)}</div>
      </th>
      <td rowSpan={span}>
        {action.decidedAt ? formatDelay(anomalyAt, action.decidedAt) : '—'}
        {who && <div className="muted">by {who}</div>}
      </td>
    </>
  );
  if (action.receipts.length === 0) {
    return (
      <tbody>
        <tr>
          {head}
          <td colSpan={3}>No connector to reach</td>
        </tr>
      </tbody>
    );
  }
  return (
    <tbody>
      {action.receipts.map((receipt, i) => (
        <tr key={receipt.connector}>
          {i === 0 && head}
          <td>{receipt.connector}</td>
          <td>
            <span className={`receipt receipt-${receipt.status}`}>{receipt.status}</span>
            {receipt.reason && <div className="muted">{receipt.reason}</div>}
          </td>
          <td>
            <time dateTime={receipt.at} title={new Date(receipt.at).toLocaleString()}>
              {formatDelay(anomalyAt, receipt.at)}
            </time>
          </td>
        </tr>
      ))}
    </tbody>
  );
}

function AuditSection({ incident }: { incident: IncidentDetail }) {
  return (
    <section aria-labelledby="audit-title" className="panel">
      <h2 id="audit-title">Audit trail</h2>
      {incident.audit.length === 0 ? (
        <p>Nothing recorded yet.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Every decision about this incident, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {incident.audit.map((entry, i) => (
              <tr key={`${entry.at}:${i}`}>
                <td>
                  <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
                </td>
                <td>{entry.actor}</td>
                <td>{entry.action.replace(/^incident\./, '').replace(/-/g, ' ')}</td>
                <td>{entry.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Decisions({ incident, onDecided }: { incident: IncidentDetail; onDecided(detail: IncidentDetail): void }) {
  const api = useApi();
  const session = useSession();
  const [open, setOpen] = useState<Decision>();
  const [problem, setProblem] = useState<{ decision: Decision; problem: ApiProblem }>();
  const [done, setDone] = useState<string>();
  const me = session.state.status === 'signed-in' ? session.state.user.subject : undefined;
  const available = availableDecisions(incident);

  const decide = async (decision: Decision, reason: string) => {
    setProblem(undefined);
    setDone(undefined);
    try {
      const result = await api.post<IncidentDetail>('containment', `/incidents/${incident.incidentId}/${decision}`, { reason });
      onDecided({ ...result, audit: incident.audit });
      setDone(
        decision === 'release' && result.status === 'contained' && result.releaseRequest
          ? 'Your release request is recorded. The score is high enough that a second analyst must now release the agent.'
          : DECISIONS[decision].done,
      );
    } catch (error) {
      if (error instanceof ApiProblem) setProblem({ decision, problem: error });
      else throw error;
    } finally {
      setOpen(undefined);
    }
  };

  return (
    <section aria-label="Decisions" className="decisions">
      {incident.releaseRequest && (
        <p className="notice" role="note">
          {incident.releaseRequest.by === me ? 'You asked' : `${incident.releaseRequest.by} asked`} to release this agent at{' '}
          {new Date(incident.releaseRequest.at).toLocaleString()};{' '}
          {incident.releaseRequest.by === me ? 'another analyst must release it.' : 'you may release it as the second analyst.'}
        </p>
      )}
      <div className="decision-buttons">
        {available.length === 0 ? (
          <p className="muted">No decision is possible: the incident is {incident.status}.</p>
        ) : (
          available.map((decision) => (
            <button
              key={decision}
              type="button"
              className={decision === 'confirm' ? 'danger' : decision === 'release' ? 'primary' : undefined}
              onClick={() => setOpen(decision)}
            >
              {DECISIONS[decision].label}
            </button>
          ))
        )}
      </div>
      <div aria-live="polite">
        {done && <p className="success">{done}</p>}
        {problem && <ProblemMessage problem={problem.problem} action={DECISIONS[problem.decision].label} />}
      </div>
      {open && (
        <ReasonDialog
          title={`${DECISIONS[open].label} this incident`}
          explanation={DECISIONS[open].explanation}
          confirmLabel={DECISIONS[open].confirm}
          onConfirm={(reason) => decide(open, reason)}
          onCancel={() => setOpen(undefined)}
        />
      )}
    </section>
  );
}
