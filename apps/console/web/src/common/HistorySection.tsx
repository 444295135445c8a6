import { AuditRecord } from './audit-trail';
import { HistoryRow } from './history';
import { Gathered } from './paging';
import { RefusalMessage } from './RefusalMessage';
import { Loaded } from './use-load';
import { When } from './When';

/** An audit trail as a page loads it: not at all for roles that do not see it. */
export type AuditLoad = Loaded<Gathered<AuditRecord> | undefined>;

/** A subject's history from its audit trail, newest first. */
export function HistorySection({ title, audit, rows }: { title: string; audit: AuditLoad; rows(records: AuditRecord[]): HistoryRow[] }) {
  return (
    <section aria-labelledby="history-title" className="panel">
      <h2 id="history-title">{title}</h2>
      {audit.state === 'loading' ? (
        <p role="status">Reading the audit trail…</p>
      ) : audit.state === 'failed' ? (
        <RefusalMessage problem={audit.problem} />
      ) : !audit.value || audit.value.items.length === 0 ? (
        <p>Nothing recorded.</p>
      ) : (
        <>
          {!audit.value.complete && <p className="muted">The trail is longer than the console reads at once: its newest records are missing here.</p>}
          <table>
            <caption className="visually-hidden">{title}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {rows(audit.value.items).map((row) => (
                <tr key={row.seq}>
                  <td>
                    <When iso={row.at} />
                  </td>
                  <td>{row.what}</td>
                  <td>{row.who}</td>
                  <td>{row.why}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
