/** An agent's or owner's status as a badge (its word is its label: colour is never the only sign). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`status status-${status}`}>{status}</span>;
}
