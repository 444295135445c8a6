import { formatWhen } from './time-words';

/** A moment, in the reader's time zone, machine-readable too. */
export function When({ iso, children }: { iso: string; children?: string }) {
  return (
    <time dateTime={iso} title={formatWhen(iso)}>
      {children ?? formatWhen(iso)}
    </time>
  );
}
