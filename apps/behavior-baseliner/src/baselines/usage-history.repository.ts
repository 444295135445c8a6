import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { TopicPayloads } from '@agentgov/contracts';

import { BEHAVIOR_BASELINER_SCHEMA } from '../database/behavior-baseliner.database';

const USAGE_HISTORY = `"${BEHAVIOR_BASELINER_SCHEMA}"."usage_history"`;
/** Rows a statement inserts at most (4 parameters each). */
const ROWS_PER_STATEMENT = 1000;

/** How long each agent's usage windows are kept for the analysts' chart. */
export const USAGE_HISTORY_DAYS = 14;

export interface UsageWindowRow {
  window_start: Date;
  window_end: Date;
  actions: number;
}

/** The SQL of each agent's actions per usage window (written with the agent.usage.v1 summaries, read for the chart). */
@Injectable()
export class UsageHistoryRepository {
  /** Records the summaries in the caller's transaction; a replayed summary (same agent and window) is recorded once. */
  async record(tx: EntityManager, usages: TopicPayloads['agent.usage.v1'][]): Promise<void> {
    for (let start = 0; start < usages.length; start += ROWS_PER_STATEMENT) {
      const chunk = usages.slice(start, start + ROWS_PER_STATEMENT);
      const params: unknown[] = [];
      const rows = chunk.map((u, i) => {
        params.push(u.agentId, u.windowStart, u.windowEnd, u.actions);
        return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`;
      });
      await tx.query(
        `INSERT INTO ${USAGE_HISTORY} ("agent_id", "window_start", "window_end", "actions") VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING`,
        params,
      );
    }
  }

  /** The agent's windows that end after `from`, oldest first. */
  async windowsOf(manager: EntityManager, agentId: string, from: Date): Promise<UsageWindowRow[]> {
    return manager.query(
      `SELECT "window_start", "window_end", "actions" FROM ${USAGE_HISTORY} WHERE "agent_id" = $1 AND "window_end" > $2 ORDER BY "window_start"`,
      [agentId, from],
    );
  }

  /** Forgets windows that ended more than USAGE_HISTORY_DAYS ago; returns how many. */
  async purge(manager: EntityManager, now: Date): Promise<number> {
    const [, deleted] = await manager.query(`DELETE FROM ${USAGE_HISTORY} WHERE "window_end" < $1`, [
      new Date(now.getTime() - USAGE_HISTORY_DAYS * 86_400_000),
    ]);
    return deleted as number;
  }
}
