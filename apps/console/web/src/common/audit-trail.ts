import { ApiClient, ServiceName } from '../api/api-client';
import { Gathered, gatherPages } from './paging';

/** A record of a service's audit trail (GET /audit), as every service gives it. */
export interface AuditRecord {
  seq: string;
  at: string;
  actorType: 'api' | 'event' | 'system';
  actor?: string | null;
  causeEventId?: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  reason?: string | null;
  details?: Record<string, unknown> | null;
}

const PAGE = 1000;

/**
 * Everything a service recorded about one subject, oldest first (the audit API pages oldest first, so the newest
 * records are the last page's). At most `maxPages` pages of a thousand: `complete` says whether that was all.
 */
export function auditTrailOf(
  api: ApiClient,
  service: ServiceName,
  subject: { subjectType?: string; subjectId?: string },
  maxPages = 20,
): Promise<Gathered<AuditRecord>> {
  return gatherPages(async (afterSeq) => {
    const query = new URLSearchParams({ ...subject, limit: String(PAGE), ...(afterSeq ? { afterSeq } : {}) });
    const page = await api.get<{ items: AuditRecord[]; nextAfterSeq: string | null }>(service, `/audit?${query.toString()}`);
    return { items: page.items, next: page.nextAfterSeq };
  }, maxPages);
}
