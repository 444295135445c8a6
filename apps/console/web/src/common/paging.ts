/** One page of a list: its items and where the next one starts (absent at the end). */
export interface Page<T> {
  items: T[];
  next?: string | null;
}

export interface Gathered<T> {
  items: T[];
  /** False when `maxPages` stopped the reading before the end of the list. */
  complete: boolean;
}

/**
 * Every page of a list, read one after another from the first, up to `maxPages` (the services page their lists
 * differently: `nextAfter`, `nextCursor`, `nextAfterSeq`; `fetchPage` maps its own to `next`).
 */
export async function gatherPages<T>(fetchPage: (next: string | undefined) => Promise<Page<T>>, maxPages: number): Promise<Gathered<T>> {
  const items: T[] = [];
  let next: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await fetchPage(next);
    items.push(...answer.items);
    if (!answer.next) return { items, complete: true };
    next = answer.next;
  }
  return { items, complete: false };
}
