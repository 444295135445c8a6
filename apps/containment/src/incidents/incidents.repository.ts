import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import { Incident, IncidentStatus } from './incident';
import { IncidentFilter } from './incident-filter';

const INCIDENTS = `"${CONTAINMENT_SCHEMA}"."incidents"`;
const EPISODES = `"${CONTAINMENT_SCHEMA}"."incident_episodes"`;

interface IncidentRow {
  id: string;
  agent_id: string;
  kind: Incident['kind'];
  owner_id: string | null;
  risk_tier: Incident['riskTier'] | null;
  status: IncidentStatus;
  band: Incident['band'];
  severity: Incident['severity'];
  score: number;
  explanation: Incident['explanation'];
  summary: string;
  policy_version: number | null;
  episode_open: boolean;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  released_score: number | null;
  released_at: Date | null;
  release_requested_by: string | null;
  release_requested_at: Date | null;
  release_request_reason: string | null;
  opened_at: Date;
  updated_at: Date;
  revision: number;
}

function incidentOf(r: IncidentRow): Incident {
  return {
    id: r.id,
    agentId: r.agent_id,
    kind: r.kind,
    ...(r.owner_id !== null ? { ownerId: r.owner_id } : {}),
    ...(r.risk_tier !== null ? { riskTier: r.risk_tier } : {}),
    status: r.status,
    band: r.band,
    severity: r.severity,
    score: r.score,
    explanation: r.explanation,
    summary: r.summary,
    ...(r.policy_version !== null ? { policyVersion: r.policy_version } : {}),
    episodeOpen: r.episode_open,
    ...(r.acknowledged_by !== null ? { acknowledgedBy: r.acknowledged_by, acknowledgedAt: new Date(r.acknowledged_at as Date) } : {}),
    ...(r.released_score !== null ? { releasedScore: r.released_score } : {}),
    ...(r.released_at !== null ? { releasedAt: new Date(r.released_at) } : {}),
    ...(r.release_requested_by !== null
      ? { releaseRequest: { by: r.release_requested_by, at: new Date(r.release_requested_at as Date), reason: r.release_request_reason ?? '' } }
      : {}),
    openedAt: new Date(r.opened_at),
    updatedAt: new Date(r.updated_at),
    revision: r.revision,
  };
}

/** The incident as its row's columns (names are code, never input). */
function columnsOf(incident: Incident): Record<string, unknown> {
  return {
    id: incident.id,
    agent_id: incident.agentId,
    kind: incident.kind,
    opened_at: incident.openedAt,
    owner_id: incident.ownerId ?? null,
    risk_tier: incident.riskTier ?? null,
    status: incident.status,
    band: incident.band,
    severity: incident.severity,
    score: incident.score,
    explanation: JSON.stringify(incident.explanation),
    summary: incident.summary,
    policy_version: incident.policyVersion ?? null,
    episode_open: incident.episodeOpen,
    acknowledged_by: incident.acknowledgedBy ?? null,
    acknowledged_at: incident.acknowledgedAt ?? null,
    released_score: incident.releasedScore ?? null,
    released_at: incident.releasedAt ?? null,
    release_requested_by: incident.releaseRequest?.by ?? null,
    release_requested_at: incident.releaseRequest?.at ?? null,
    release_request_reason: incident.releaseRequest?.reason ?? null,
    updated_at: incident.updatedAt,
    revision: incident.revision,
  };
}

/** A page of the list: the filter, keyset pagination and its size. */
export interface IncidentPage extends IncidentFilter {
  /** Incidents updated before this one (its updatedAt and id). */
  before?: { updatedAt: Date; id: string };
  limit: number;
}

/** The SQL of incidents and the baseliner's episodes they gather. */
@Injectable()
export class IncidentsRepository {
  /** Locks the incident row for the rest of the transaction: analysts and policy change one incident one at a time. */
  async lock(tx: EntityManager, id: string): Promise<Incident | undefined> {
    const [row] = await tx.query(`SELECT * FROM ${INCIDENTS} WHERE "id" = $1 FOR UPDATE`, [id]);
    return row ? incidentOf(row) : undefined;
  }

  async find(manager: EntityManager, id: string): Promise<Incident | undefined> {
    const [row] = await manager.query(`SELECT * FROM ${INCIDENTS} WHERE "id" = $1`, [id]);
    return row ? incidentOf(row) : undefined;
  }

  async lockByEpisode(tx: EntityManager, episodeId: string): Promise<Incident | undefined> {
    const [row] = await tx.query(`SELECT i.* FROM ${INCIDENTS} i JOIN ${EPISODES} e ON e."incident_id" = i."id" WHERE e."episode_id" = $1 FOR UPDATE OF i`, [
      episodeId,
    ]);
    return row ? incidentOf(row) : undefined;
  }

  /** The agent's most recently changed incident of these kinds, locked. */
  async lockLatestOfAgent(tx: EntityManager, agentId: string, kinds: Incident['kind'][]): Promise<Incident | undefined> {
    const [row] = await tx.query(`SELECT * FROM ${INCIDENTS} WHERE "agent_id" = $1 AND "kind" = ANY($2) ORDER BY "updated_at" DESC LIMIT 1 FOR UPDATE`, [
      agentId,
      kinds,
    ]);
    return row ? incidentOf(row) : undefined;
  }

  /** Another incident that holds the agent contained, if any. */
  async otherContainedIncidentOf(tx: EntityManager, agentId: string, exceptIncidentId: string): Promise<string | undefined> {
    const [other] = await tx.query(`SELECT "id" FROM ${INCIDENTS} WHERE "agent_id" = $1 AND "status" = 'contained' AND "id" <> $2 LIMIT 1`, [
      agentId,
      exceptIncidentId,
    ]);
    return other?.id;
  }

  async insert(tx: EntityManager, incident: Incident, episodeId?: string): Promise<void> {
    const columns = columnsOf(incident);
    const names = Object.keys(columns);
    await tx.query(
      `INSERT INTO ${INCIDENTS} (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
      Object.values(columns),
    );
    if (episodeId) await this.addEpisode(tx, incident.id, episodeId);
  }

  /** Whether the episode had joined its incident by `at` (episodes from before this was recorded had). */
  async episodeJoinedBy(manager: EntityManager, episodeId: string, at: Date): Promise<boolean> {
    const [row] = await manager.query(`SELECT "joined_at" <= $2 AS "joined" FROM ${EPISODES} WHERE "episode_id" = $1`, [episodeId, at]);
    return row?.joined === true;
  }

  async addEpisode(tx: EntityManager, incidentId: string, episodeId: string): Promise<void> {
    await tx.query(`INSERT INTO ${EPISODES} ("episode_id", "incident_id") VALUES ($1, $2) ON CONFLICT DO NOTHING`, [episodeId, incidentId]);
  }

  async save(tx: EntityManager, incident: Incident): Promise<void> {
    const { id, agent_id: _agent, kind: _kind, opened_at: _opened, ...changeable } = columnsOf(incident);
    const names = Object.keys(changeable);
    await tx.query(`UPDATE ${INCIDENTS} SET ${names.map((n, i) => `"${n}" = $${i + 2}`).join(', ')} WHERE "id" = $1`, [id, ...Object.values(changeable)]);
  }

  async findMany(manager: EntityManager, ids: string[]): Promise<Incident[]> {
    const rows: IncidentRow[] = await manager.query(`SELECT * FROM ${INCIDENTS} WHERE "id" = ANY($1::uuid[])`, [ids]);
    return rows.map(incidentOf);
  }

  /** One page of incidents, most recently changed first; the filter's rules are matchesIncidentFilter's. */
  async list(manager: EntityManager, filter: IncidentPage): Promise<Incident[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.status?.length) add((p) => `"status" = ANY(${p})`, filter.status);
    if (filter.severity?.length) add((p) => `"severity" = ANY(${p})`, filter.severity);
    if (filter.kind?.length) add((p) => `"kind" = ANY(${p})`, filter.kind);
    if (filter.riskTier?.length) add((p) => `"risk_tier" = ANY(${p})`, filter.riskTier);
    if (filter.agentId) add((p) => `"agent_id" = ${p}`, filter.agentId);
    if (filter.ownerId) add((p) => `"owner_id" = ${p}`, filter.ownerId);
    if (filter.updatedSince) add((p) => `"updated_at" >= ${p}`, filter.updatedSince);
    if (filter.openedSince) add((p) => `"opened_at" >= ${p}`, filter.openedSince);
    if (filter.before) {
      params.push(filter.before.updatedAt, filter.before.id);
      where.push(`("updated_at", "id") < ($${params.length - 1}, $${params.length})`);
    }
    params.push(filter.limit);
    const rows: IncidentRow[] = await manager.query(
      `SELECT * FROM ${INCIDENTS} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY "updated_at" DESC, "id" DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(incidentOf);
  }
}
