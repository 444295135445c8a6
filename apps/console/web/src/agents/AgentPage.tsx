import { useApi } from '../api/use-api';
import { Link } from '../app/router';
import { auditTrailOf } from '../common/audit-trail';
import { AuditLoad, HistorySection } from '../common/HistorySection';
import { RefusalMessage } from '../common/RefusalMessage';
import { seesSocData, useRoles } from '../common/roles';
import { StatusBadge } from '../common/StatusBadge';
import { daysFromNow, durationWords, formatWhen } from '../common/time-words';
import { Loaded, useLoad } from '../common/use-load';
import { When } from '../common/When';
import { agentName, ownerName, useDirectory } from '../directory/directory';
import { Incident } from '../incidents/incident-types';
import { formatAge, formatNumber, whatHappened, whereItStands } from '../incidents/incident-words';
import { AgentTree, loadAgentTree } from './agent-data';
import { agentHistory, TokenState, tokenState, tokenSummary } from './agent-history';
import { AgentBaseline, RegistryAgent } from './agent-types';
import { describeTree } from './delegation-tree';
import { DelegationTreeView } from './DelegationTreeView';

const AGENT_REFUSALS = {
  forbidden: 'Agents are shown to admins, SOC analysts and reviewers.',
  codes: { AGENT_NOT_FOUND: 'There is no agent with this id in the registry (an agent seen only in activity is a shadow agent: see its incident).' },
};

/**
 * One agent: who owns it and what it may do, where its tokens stand, its delegation tree, its recent scores and
 * incidents, and everything that happened to it. Reviewers see the registry's part; the audit trail, the scores and the
 * incidents are the SOC's and admins'.
 */
export function AgentPage({ agentId }: { agentId: string }) {
  const api = useApi();
  const soc = seesSocData(useRoles());
  const [agent] = useLoad(() => api.get<RegistryAgent>('provisioner', `/agents/${encodeURIComponent(agentId)}`), [api, agentId]);
  const [audit] = useLoad(
    async () => (soc ? await auditTrailOf(api, 'provisioner', { subjectType: 'agent', subjectId: agentId }) : undefined),
    [api, agentId, soc],
  );

  if (agent.state === 'loading') return <p role="status">Loading the agent…</p>;
  if (agent.state === 'failed') return <RefusalMessage problem={agent.problem} context={AGENT_REFUSALS} />;
  return <AgentView agent={agent.value} audit={audit} soc={soc} />;
}

function AgentView({ agent: a, audit, soc }: { agent: RegistryAgent; audit: AuditLoad; soc: boolean }) {
  const api = useApi();
  const [tree] = useLoad(() => loadAgentTree(api, a), [api, a]);
  return (
    <article className="agent-page" aria-labelledby="agent-title">
      <p className="breadcrumb">
        <Link to="/agents">← Agents and owners</Link>
      </p>
      <header className="page-head">
        <h1 id="agent-title">{a.name}</h1>
        <StatusBadge status={a.status} />
      </header>
      <p className="lead">
        {a.riskTier} risk · {a.platform} · {a.purpose}
        {a.statusReason && a.status !== 'active' && <> · {a.statusReason}</>}
      </p>
      <div className="two-columns">
        <AccessSection agent={a} />
        <TokenSection agent={a} audit={audit} soc={soc} tree={tree} />
      </div>
      <TreeSection agent={a} tree={tree} />
      {soc && (
        <div className="two-columns">
          <ScoresSection agentId={a.id} />
          <IncidentsSection agentId={a.id} />
        </div>
      )}
      {soc && <HistorySection title="Status history" audit={audit} rows={(records) => agentHistory(records)} />}
    </article>
  );
}

function AccessSection({ agent }: { agent: RegistryAgent }) {
  const directory = useDirectory();
  const now = Date.now();
  return (
    <section aria-labelledby="access-title" className="panel">
      <h2 id="access-title">Owner, scopes and expiry</h2>
      <dl className="facts">
        <dt>Owner</dt>
        <dd>
          <Link to={`/owners/${encodeURIComponent(agent.ownerId)}`}>{ownerName(directory.owner(agent.ownerId), agent.ownerId)}</Link>
        </dd>
        <dt>Parent</dt>
        <dd>
          {agent.parentAgentId ? (
            <Link to={`/agents/${agent.parentAgentId}`}>{agentName(directory.agent(agent.parentAgentId), agent.parentAgentId)}</Link>
          ) : (
            'none: it is a root agent'
          )}
        </dd>
        <dt>Scopes</dt>
        <dd>
          {agent.scopes.length === 0 ? (
            'none'
          ) : (
            <ul className="scopes" aria-label="Scopes">
              {agent.scopes.map((scope) => (
                <li key={scope} className="mono">
                  {scope}
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Expires</dt>
        <dd>
          {agent.expiresAt ? (
            <>
              <When iso={agent.expiresAt} /> ({Date.parse(agent.expiresAt) <= now ? 'expired' : daysFromNow(agent.expiresAt, now)})
            </>
          ) : (
            'never'
          )}
        </dd>
        <dt>Registered</dt>
        <dd>
          <When iso={agent.createdAt} /> by {agent.createdBy}
        </dd>
        <dt>Agent id</dt>
        <dd className="mono">{agent.id}</dd>
      </dl>
    </section>
  );
}

function TokenSection({ agent, audit, soc, tree }: { agent: RegistryAgent; audit: AuditLoad; soc: boolean; tree: Loaded<AgentTree> }) {
  const now = Date.now();
  const inactiveParent =
    tree.state === 'done' ? tree.value.parents.find((p) => p.status !== 'active' || (p.expiresAt !== null && Date.parse(p.expiresAt) <= now))?.name : undefined;
  const known = audit.state === 'done' && audit.value ? tokenState(agent, audit.value.items, { now, inactiveParent }) : undefined;
  const summary = known?.summary ?? tokenSummary(agent, 'not-known', { now, inactiveParent });
  return (
    <section aria-labelledby="tokens-title" className="panel">
      <h2 id="tokens-title">Token state</h2>
      <p>
        <strong>{summary}</strong>
      </p>
      {!soc ? (
        <p className="muted">The credential&apos;s age and the token revocations come from the audit trail, which SOC analysts and admins see.</p>
      ) : audit.state === 'loading' ? (
        <p role="status">Reading its audit trail…</p>
      ) : audit.state === 'failed' ? (
        <RefusalMessage problem={audit.problem} />
      ) : (
        known && <TokenFacts state={known} now={now} />
      )}
      <p className="muted small">
        Tokens are short-lived and the issuer does not record each one; resource servers ask introspection whether one is still good.
      </p>
    </section>
  );
}

function TokenFacts({ state, now }: { state: TokenState; now: number }) {
  return (
    <dl className="facts">
      <dt>Client secret</dt>
      <dd>
        {state.credential.how === 'rotated' ? 'rotated' : 'set at registration'} <When iso={state.credential.since} /> by {state.credential.by} (
        {durationWords(state.credential.since, now)} old)
      </dd>
      <dt>Last cut-off</dt>
      <dd>
        {state.cutOff ? (
          <>
            {state.cutOff.what} <When iso={state.cutOff.at} /> by {state.cutOff.by}: tokens issued before then are refused
          </>
        ) : (
          'none recorded'
        )}
      </dd>
      <dt>Revoked by itself</dt>
      <dd>
        {state.singleRevocations.count === 0
          ? 'no token'
          : `${state.singleRevocations.count} token(s), last ${formatWhen(state.singleRevocations.last as string)}`}
      </dd>
      <dt>Token exchanges</dt>
      <dd>{state.exchanges.count === 0 ? 'none' : `${state.exchanges.count}, last ${formatWhen(state.exchanges.last as string)}`}</dd>
    </dl>
  );
}

function TreeSection({ agent, tree }: { agent: RegistryAgent; tree: Loaded<AgentTree> }) {
  const api = useApi();
  const directory = useDirectory();
  const [delegates] = useLoad(
    () => api.get<{ items: Array<{ delegateId: string; grantedBy: string; grantedAt: string }> }>('provisioner', `/agents/${agent.id}/delegates`),
    [api, agent.id],
  );
  return (
    <section aria-labelledby="tree-title" className="panel">
      <h2 id="tree-title">Delegation tree</h2>
      {tree.state === 'loading' ? (
        <p role="status">Reading its delegation tree…</p>
      ) : tree.state === 'failed' ? (
        <RefusalMessage problem={tree.problem} />
      ) : (
        <>
          <p>{describeTree(tree.value.tree, agent.id)}</p>
          {!tree.value.complete && <p className="muted">The tree is larger than the console reads at once: only its first agents are drawn.</p>}
          <DelegationTreeView tree={tree.value.tree} currentId={agent.id} label={`Delegation tree of ${tree.value.tree.root.agent.name}`} />
        </>
      )}
      {delegates.state === 'done' && delegates.value.items.length > 0 && (
        <>
          <h3>Also allowed to act for it</h3>
          <ul>
            {delegates.value.items.map((grant) => (
              <li key={grant.delegateId}>
                <Link to={`/agents/${grant.delegateId}`}>{agentName(directory.agent(grant.delegateId), grant.delegateId)}</Link>{' '}
                <span className="muted">
                  (granted by {grant.grantedBy}, <When iso={grant.grantedAt} />)
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function ScoresSection({ agentId }: { agentId: string }) {
  const api = useApi();
  const [baseline] = useLoad(() => api.get<AgentBaseline>('behavior-baseliner', `/agents/${encodeURIComponent(agentId)}/baseline?days=1`), [api, agentId]);
  return (
    <section aria-labelledby="scores-title" className="panel">
      <h2 id="scores-title">Recent scores</h2>
      {baseline.state === 'loading' ? (
        <p role="status">Reading its scores…</p>
      ) : baseline.state === 'failed' ? (
        baseline.problem.code === 'BASELINE_NOT_FOUND' ? (
          <p>The baseliner has not scored any activity of this agent yet.</p>
        ) : (
          <RefusalMessage problem={baseline.problem} />
        )
      ) : (
        <Scores baseline={baseline.value} />
      )}
    </section>
  );
}

function Scores({ baseline }: { baseline: AgentBaseline }) {
  const scores = [...baseline.recentScores].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, 10);
  const usual = baseline.baseline;
  return (
    <>
      <p>
        {baseline.warm ? 'Its baseline is learnt' : 'Still learning its baseline'} ({baseline.eventsLearnt.toLocaleString('en')} events)
        {usual.actionsPer10Minutes !== null && (
          <>
            ; usually about {formatNumber(usual.actionsPer10Minutes)} action{formatNumber(usual.actionsPer10Minutes) === '1' ? '' : 's'} in 10 minutes
          </>
        )}
        {usual.activeHoursUtc.length > 0 && <>, active {usual.activeHoursUtc.length} hours a day</>}.
      </p>
      {baseline.episode && (
        <p className="notice">
          An anomaly is going on since <When iso={baseline.episode.startedAt} />, peak score {baseline.episode.peakScore.toFixed(3)}.
        </p>
      )}
      {scores.length === 0 ? (
        <p>No recent score.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Its latest scores, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {scores.map((s) => (
              <tr key={s.at}>
                <td>
                  <When iso={s.at} />
                </td>
                <td className={s.score >= 0.9 ? 'score-high' : undefined}>{s.score.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">A score near 1 means behaviour this agent&apos;s own history makes very unlikely.</p>
    </>
  );
}

function IncidentsSection({ agentId }: { agentId: string }) {
  const api = useApi();
  const [incidents] = useLoad(
    () => api.get<{ items: Incident[] }>('containment', `/incidents?agentId=${encodeURIComponent(agentId)}&limit=10`),
    [api, agentId],
  );
  return (
    <section aria-labelledby="agent-incidents-title" className="panel">
      <h2 id="agent-incidents-title">Incidents</h2>
      {incidents.state === 'loading' ? (
        <p role="status">Reading its incidents…</p>
      ) : incidents.state === 'failed' ? (
        <RefusalMessage problem={incidents.problem} />
      ) : incidents.value.items.length === 0 ? (
        <p>No incident was ever opened about this agent.</p>
      ) : (
        <ul className="plain-list">
          {incidents.value.items.map((incident) => (
            <li key={incident.incidentId}>
              <span className={`severity severity-${incident.severity}`}>{incident.severity}</span>{' '}
              <Link to={`/incidents/${incident.incidentId}`}>{whatHappened(incident)}</Link>
              <div className="muted">
                {whereItStands(incident)} · opened {formatAge(incident.openedAt)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
