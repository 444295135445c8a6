import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { ActionKind } from '../connectors/connector-registry';
import { CONTAINMENT_SCHEMA } from '../database/containment.database';
import type { LogoutRequest } from './universal-logout';

const ACTIONS = `"${CONTAINMENT_SCHEMA}"."actions"`;

export interface NewAction extends LogoutRequest {
  id: string;
  createdAt: Date;
}

/** An action's row as the dispatcher reads it. */
export interface ActionRow {
  id: string;
  agent_id: string;
  owner_id: string | null;
  kind: ActionKind;
  reason: string;
  created_at: Date;
  /** Order of decision (bigint, as text): webhooks carry it so a receiver never applies an older action after a newer one. */
  sequence: string;
}

/** An incident's action: what it was, who decided it (policy, an analyst, the registry) and when. */
export interface IncidentActionRow {
  id: string;
  kind: ActionKind;
  incident_id: string;
  origin: string;
  requested_by: string | null;
  created_at: Date;
}

/** The SQL of containment actions: one row per logout, release or deprovisioning decided, whoever asked. */
@Injectable()
export class ActionsRepository {
  async insert(tx: EntityManager, action: NewAction): Promise<void> {
    await tx.query(
      `INSERT INTO ${ACTIONS} ("id", "incident_id", "agent_id", "owner_id", "kind", "origin", "requested_by", "reason", "created_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        action.id,
        action.incidentId ?? null,
        action.agentId,
        action.ownerId ?? null,
        action.kind,
        action.origin,
        action.requestedBy,
        action.reason,
        action.createdAt,
      ],
    );
  }

  async findMany(manager: EntityManager, ids: string[]): Promise<ActionRow[]> {
    return manager.query(`SELECT * FROM ${ACTIONS} WHERE "id" = ANY($1)`, [ids]);
  }

  /**
   * Locks the action row for the rest of the transaction (the receipts of one action are recorded one at a time)
   * and says which incident it belongs to now, if any.
   */
  async lockIncidentOf(tx: EntityManager, actionId: string): Promise<string | null> {
    const [row] = await tx.query(`SELECT "incident_id" FROM ${ACTIONS} WHERE "id" = $1 FOR UPDATE`, [actionId]);
    return row?.incident_id ?? null;
  }

  async attachIncident(tx: EntityManager, actionId: string, incidentId: string): Promise<void> {
    await tx.query(`UPDATE ${ACTIONS} SET "incident_id" = $2 WHERE "id" = $1`, [actionId, incidentId]);
  }

  /** The actions of these incidents, oldest first. */
  async ofIncidents(manager: EntityManager, incidentIds: string[]): Promise<IncidentActionRow[]> {
    return manager.query(
      `SELECT "id", "kind", "incident_id", "origin", "requested_by", "created_at" FROM ${ACTIONS} WHERE "incident_id" = ANY($1) ORDER BY "created_at", "id"`,
      [incidentIds],
    );
  }

  /** Whether containment took this action (by its id, a uuid) about this agent. */
  /** Who ordered the incident's latest containment, when an analyst did (not policy or the registry). */
  async analystWhoContained(tx: EntityManager, incidentId: string): Promise<string | undefined> {
    const [row] = await tx.query(
      `SELECT "origin", "requested_by" FROM ${ACTIONS} WHERE "incident_id" = $1 AND "kind" = 'contain' ORDER BY "sequence" DESC LIMIT 1`,
      [incidentId],
    );
    return row?.origin === 'analyst' ? row.requested_by : undefined;
  }

  async isActionAbout(tx: EntityManager, actionId: string, agentId: string): Promise<boolean> {
    const [row] = await tx.query(`SELECT 1 FROM ${ACTIONS} WHERE "id" = $1::uuid AND "agent_id" = $2`, [actionId, agentId]);
    return row !== undefined;
  }

  /** The kind of the latest action the registry caused for the agent (an agent.lifecycle.v1 event). */
  async lastRegistryActionKind(tx: EntityManager, agentId: string): Promise<ActionKind | undefined> {
    const [last] = await tx.query(`SELECT "kind" FROM ${ACTIONS} WHERE "agent_id" = $1 AND "origin" = 'lifecycle' ORDER BY "created_at" DESC LIMIT 1`, [
      agentId,
    ]);
    return last?.kind;
  }
}
