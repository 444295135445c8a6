import { useMemo } from 'react';

import { AgentPage as AgentList, RegistryAgent, RegistryOwner } from '../agents/agent-types';
import { AgentTable } from '../agents/AgentsAndOwnersPage';
import { forestOf } from '../agents/delegation-tree';
import { DelegationTreeView } from '../agents/DelegationTreeView';
import { useApi } from '../api/use-api';
import { Link } from '../app/router';
import { auditTrailOf } from '../common/audit-trail';
import { HistorySection } from '../common/HistorySection';
import { gatherPages } from '../common/paging';
import { RefusalMessage } from '../common/RefusalMessage';
import { seesSocData, useRoles } from '../common/roles';
import { StatusBadge } from '../common/StatusBadge';
import { useLoad } from '../common/use-load';
import { When } from '../common/When';
import { ownerName, useDirectory } from '../directory/directory';
import { ownerHistory } from './owner-history';

const OWNER_REFUSALS = {
  forbidden: 'Owners are shown to admins, SOC analysts and reviewers.',
  codes: { OWNER_NOT_FOUND: 'There is no owner with this id in the registry.' },
};

/**
 * One owner: who they are, every agent they are accountable for (and the sub-agents below those, whoever owns them),
 * drawn as delegation trees, and their lifecycle as the registry recorded it.
 */
export function OwnerPage({ ownerId }: { ownerId: string }) {
  const api = useApi();
  const soc = seesSocData(useRoles());
  const [owner] = useLoad(() => api.get<RegistryOwner>('provisioner', `/owners/${encodeURIComponent(ownerId)}`), [api, ownerId]);
  const [agents] = useLoad(async () => {
    const pages = await gatherPages(async (after) => {
      const query = new URLSearchParams({ limit: '1000', ...(after ? { after } : {}) });
      const page = await api.get<AgentList>('provisioner', `/owners/${encodeURIComponent(ownerId)}/agents?${query.toString()}`);
      return { items: page.items, next: page.nextAfter };
    }, 10);
    return pages;
  }, [api, ownerId]);
  const [audit] = useLoad(
    async () => (soc ? await auditTrailOf(api, 'provisioner', { subjectType: 'owner', subjectId: ownerId }) : undefined),
    [api, ownerId, soc],
  );

  if (owner.state === 'loading') return <p role="status">Loading the owner…</p>;
  if (owner.state === 'failed') return <RefusalMessage problem={owner.problem} context={OWNER_REFUSALS} />;
  const o = owner.value;
  return (
    <article aria-labelledby="owner-title">
      <p className="breadcrumb">
        <Link to="/agents">← Agents and owners</Link>
      </p>
      <header className="page-head">
        <h1 id="owner-title">{o.displayName ?? o.email ?? o.id}</h1>
        <StatusBadge status={o.status} />
      </header>
      <div className="two-columns">
        <OwnerFacts owner={o} />
        <section aria-labelledby="owned-title" className="panel">
          <h2 id="owned-title">Agents they are accountable for</h2>
          {agents.state === 'loading' ? (
            <p role="status">Reading their agents…</p>
          ) : agents.state === 'failed' ? (
            <RefusalMessage problem={agents.problem} />
          ) : (
            <OwnedSummary ownerId={o.id} agents={agents.value.items} complete={agents.value.complete} />
          )}
        </section>
      </div>
      {agents.state === 'done' && agents.value.items.length > 0 && <OwnedAgents ownerId={o.id} agents={agents.value.items} />}
      {soc ? (
        <HistorySection title="Lifecycle history" audit={audit} rows={ownerHistory} />
      ) : (
        <p className="muted">Their lifecycle history comes from the audit trail, which SOC analysts and admins see.</p>
      )}
    </article>
  );
}

function OwnerFacts({ owner }: { owner: RegistryOwner }) {
  const directory = useDirectory();
  return (
    <section aria-labelledby="owner-facts-title" className="panel">
      <h2 id="owner-facts-title">Who they are</h2>
      <dl className="facts">
        <dt>Email</dt>
        <dd>{owner.email ?? '—'}</dd>
        <dt>Phone</dt>
        <dd>{owner.phone ?? '—'}</dd>
        <dt>Team</dt>
        <dd>{owner.team ?? '—'}</dd>
        <dt>Manager</dt>
        <dd>
          {owner.managerId ? (
            <Link to={`/owners/${encodeURIComponent(owner.managerId)}`}>{ownerName(directory.owner(owner.managerId), owner.managerId)}</Link>
          ) : (
            'not known'
          )}
        </dd>
        <dt>Status</dt>
        <dd>
          {owner.status}
          {owner.statusReason && owner.status !== 'active' && <>: {owner.statusReason}</>}
          {owner.statusChangedAt && (
            <>
              {' '}
              (since <When iso={owner.statusChangedAt} />)
            </>
          )}
        </dd>
        <dt>Linked identities</dt>
        <dd>{owner.identities.length === 0 ? 'none' : owner.identities.map((i) => `${i.source}: ${i.externalId}`).join(', ')}</dd>
        <dt>Owner id</dt>
        <dd className="mono">{owner.id}</dd>
      </dl>
    </section>
  );
}

function OwnedSummary({ ownerId, agents, complete }: { ownerId: string; agents: readonly RegistryAgent[]; complete: boolean }) {
  const owned = agents.filter((a) => a.ownerId === ownerId);
  const byStatus = (status: string) => owned.filter((a) => a.status === status).length;
  const others = agents.length - owned.length;
  if (agents.length === 0) return <p>None: no agent is registered to them.</p>;
  return (
    <>
      <p>
        {owned.length} agent{owned.length === 1 ? '' : 's'}: {byStatus('active')} active, {byStatus('suspended')} suspended, {byStatus('deprovisioned')}{' '}
        deprovisioned.
        {others > 0 && ` Below them, ${others} sub-agent${others === 1 ? '' : 's'} other owners are accountable for.`}
      </p>
      {owned.some((a) => a.status !== 'deprovisioned') && (
        <p className="muted">
          If they leave, the registry deprovisions, suspends or hands to their manager each of their live agents, with the sub-agents below it, as its
          offboarding policy says.
        </p>
      )}
      {!complete && <p className="muted">They have more agents than the console reads at once: the first ones are shown.</p>}
    </>
  );
}

function OwnedAgents({ ownerId, agents }: { ownerId: string; agents: readonly RegistryAgent[] }) {
  const forest = useMemo(() => forestOf(agents), [agents]);
  const owned = agents.filter((a) => a.ownerId === ownerId);
  return (
    <>
      <section aria-labelledby="owned-list-title" className="panel">
        <h2 id="owned-list-title">Their agents</h2>
        <AgentTable agents={owned} caption="The agents they own" />
      </section>
      <section aria-labelledby="owned-trees-title" className="panel">
        <h2 id="owned-trees-title">Delegation trees</h2>
        <p>
          {forest.length} tree{forest.length === 1 ? '' : 's'}, with every sub-agent below their agents and the owner of each.
        </p>
        {forest.map((tree) => (
          <DelegationTreeView key={tree.root.agent.id} tree={tree} label={`Delegation tree of ${tree.root.agent.name}`} />
        ))}
      </section>
    </>
  );
}
