import { useState } from 'react';

import { ApiProblem } from '../api/api-client';
import { useApi } from '../api/use-api';
import { Link, navigate, useLocation } from '../app/router';
import { RefusalMessage } from '../common/RefusalMessage';
import { useRoles } from '../common/roles';
import { asProblem, useLoad } from '../common/use-load';
import { When } from '../common/When';
import { ReasonDialog } from '../components/ReasonDialog';
import { ResolveSignalDialog } from './ResolveSignalDialog';
import { candidateWords, IdentitySignal, outcomeWords, SIGNAL_REFUSALS, signalKindWords, signalStatusWords } from './signal-words';

const PAGE = 100;
const STATUS_CHOICES: Array<[string, string]> = [
  ['pending', 'Waiting'],
  ['applied', 'Applied'],
  ['dismissed', 'Dismissed'],
  ['', 'Any'],
];

type Decision = { kind: 'resolve' | 'dismiss'; signal: IdentitySignal };

/**
 * The identity signals that named no owner or several, kept rather than dropped (an orphaned agent is what this
 * product prevents). SOC analysts and admins see them; an admin names the owner one meant, or dismisses it.
 */
export function IdentitySignalsPage() {
  const api = useApi();
  const admin = useRoles().includes('admin');
  const { search } = useLocation();
  const status = search.has('status') ? (search.get('status') ?? '') : 'pending';
  const [pages, setPages] = useState(1);
  const [open, setOpen] = useState<Decision>();
  const [outcome, setOutcome] = useState<{ done?: string; problem?: ApiProblem; action?: string }>({});
  const [signals, reload] = useLoad(async () => {
    const items: IdentitySignal[] = [];
    let before: string | undefined;
    for (let page = 0; page < pages; page++) {
      const query = new URLSearchParams({ limit: String(PAGE), ...(status ? { status } : {}), ...(before ? { before } : {}) });
      const answer = await api.get<{ items: IdentitySignal[] }>('provisioner', `/identity-signals?${query.toString()}`);
      items.push(...answer.items);
      if (answer.items.length < PAGE) return { items, more: false };
      before = answer.items[answer.items.length - 1].receivedAt;
    }
    return { items, more: true };
  }, [api, status, pages]);

  const decide = async (path: string, body: unknown, done: string, action: string) => {
    setOutcome({});
    try {
      await api.post<IdentitySignal>('provisioner', path, body);
      setOutcome({ done });
      reload();
    } catch (error) {
      setOutcome({ problem: asProblem(error), action });
      reload();
    } finally {
      setOpen(undefined);
    }
  };

  return (
    <section aria-labelledby="signals-title">
      <h1 id="signals-title">Unmatched identity signals</h1>
      <p className="lead">
        Lifecycle signals from identity providers and HR that named no owner here, or several: nobody was offboarded on them. One applies itself as soon as an
        owner comes to match it (registered, or an identity or email linked)
        {admin ? '; you can also name the owner it meant, or dismiss it.' : '; an admin can name the owner it meant, or dismiss it.'}
      </p>
      <form className="filters" aria-label="Filter signals" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>Status</span>
          <select
            value={status}
            onChange={(e) => {
              setPages(1);
              navigate(`/identity-signals?status=${encodeURIComponent(e.target.value)}`, { replace: true });
            }}
          >
            {STATUS_CHOICES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <div aria-live="polite">
        {outcome.done && <p className="success">{outcome.done}</p>}
        {outcome.problem && <RefusalMessage problem={outcome.problem} action={outcome.action} context={SIGNAL_REFUSALS} />}
      </div>
      {signals.state === 'loading' ? (
        <p role="status">Reading the signals…</p>
      ) : signals.state === 'failed' ? (
        <RefusalMessage problem={signals.problem} context={{ forbidden: 'Identity signals are shown to SOC analysts and admins.' }} />
      ) : signals.value.items.length === 0 ? (
        <p className="empty-state">{status === 'pending' ? 'No signal is waiting: every lifecycle signal found its owner.' : 'No signal here.'}</p>
      ) : (
        <>
          <table>
            <caption className="visually-hidden">Identity signals, most recently received first</caption>
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">What it reports</th>
                <th scope="col">It named</th>
                <th scope="col">Why it was kept</th>
                <th scope="col">Where it stands</th>
                {admin && <th scope="col">Decide</th>}
              </tr>
            </thead>
            <tbody>
              {signals.value.items.map((signal) => (
                <tr key={signal.id}>
                  <td>
                    <When iso={signal.receivedAt} />
                    <div className="muted">from {signal.sender}</div>
                  </td>
                  <th scope="row">
                    {signalKindWords(signal.kind)}
                    {signal.reason && <div className="muted">{signal.reason}</div>}
                    <div className="muted">
                      happened <When iso={signal.occurredAt} />
                    </div>
                  </th>
                  <td>{signal.candidates.map(candidateWords).join(', ')}</td>
                  <td>
                    {outcomeWords(signal)}
                    {signal.outcome === 'ambiguous' && (
                      <ul className="plain-list">
                        {signal.candidateOwnerIds.map((ownerId) => (
                          <li key={ownerId}>
                            <Link to={`/owners/${encodeURIComponent(ownerId)}`}>{ownerId}</Link>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    {signalStatusWords(signal)}
                    {signal.resolutionNote && <div className="muted">{signal.resolutionNote}</div>}
                  </td>
                  {admin && (
                    <td>
                      {signal.status === 'pending' && (
                        <div className="row-buttons">
                          <button type="button" className="primary" onClick={() => setOpen({ kind: 'resolve', signal })}>
                            Resolve
                          </button>
                          <button type="button" onClick={() => setOpen({ kind: 'dismiss', signal })}>
                            Dismiss
                          </button>
                        </div>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {signals.value.more && (
            <button type="button" onClick={() => setPages((n) => n + 1)}>
              Show older signals
            </button>
          )}
        </>
      )}
      {open?.kind === 'resolve' && (
        <ResolveSignalDialog
          signal={open.signal}
          onCancel={() => setOpen(undefined)}
          onConfirm={(ownerId, reason) =>
            decide(`/identity-signals/${open.signal.id}/resolve`, { ownerId, reason }, `Applied to owner ${ownerId}: the registry acts on it now.`, 'Resolve')
          }
        />
      )}
      {open?.kind === 'dismiss' && (
        <ReasonDialog
          title={`Dismiss this ${signalKindWords(open.signal.kind).toLowerCase()}`}
          explanation="A dismissed signal is never applied, even if an owner comes to match it later."
          confirmLabel="Dismiss the signal"
          onCancel={() => setOpen(undefined)}
          onConfirm={(reason) => decide(`/identity-signals/${open.signal.id}/dismiss`, { reason }, 'Dismissed.', 'Dismiss')}
        />
      )}
    </section>
  );
}
