import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { isUuid } from '@agentgov/contracts';

import { GlobalTokenRevocationError, GlobalTokenRevocationErrorCode } from './global-token-revocation.errors';
import { GlobalTokenRevocationSubject } from './subject-identifier';

/** What a subject identifier names here: one agent (and the sub-agents acting for it), or one owner (and everything they are accountable for). */
export type RevocationSubject = { type: 'agent'; id: string } | { type: 'owner'; id: string };

const AGENTS = '"provisioner"."agents"';
const OWNERS = '"provisioner"."owners"';
const IDENTITIES = '"provisioner"."owner_identities"';

/**
 * Finds the agent or owner a Global Token Revocation subject identifier names, and the agents whose tokens that
 * ends. SQL only; no other part of the registry's matching (SCIM, Okta, SSF) is involved, so the answers do not
 * depend on how an IdP's lifecycle signals are matched.
 */
@Injectable()
export class GlobalTokenRevocationRepository {
  /** Throws 404 when nothing is named, 422 when an email names several owners (choosing one would be a guess). */
  async resolve(tx: EntityManager, subject: GlobalTokenRevocationSubject, issuer: string): Promise<RevocationSubject> {
    switch (subject.format) {
      case 'opaque': {
        // An agent's id is a uuid the registry made; an owner's id is whatever HR gave. The agent is looked up first.
        if (isUuid(subject.id) && (await this.agentExists(tx, subject.id))) return { type: 'agent', id: subject.id };
        const owners = await ids(tx, `SELECT "id" FROM ${OWNERS} WHERE "id" = $1`, [subject.id]);
        return single(owners, 'owner');
      }
      case 'iss_sub': {
        // This issuer's own subjects are its agents (the `sub` of their tokens); any other issuer is an IdP whose
        // user is linked to an owner.
        if (sameIssuer(subject.iss, issuer)) {
          if (isUuid(subject.sub) && (await this.agentExists(tx, subject.sub))) return { type: 'agent', id: subject.sub };
          throw notFound();
        }
        const owners = await ids(tx, `SELECT DISTINCT "owner_id" AS "id" FROM ${IDENTITIES} WHERE "source" = $1 AND "external_id" = $2 LIMIT 2`, [
          subject.iss,
          subject.sub,
        ]);
        return single(owners, 'owner');
      }
      case 'email': {
        const owners = await ids(tx, `SELECT "id" FROM ${OWNERS} WHERE lower("email") = lower($1) LIMIT 2`, [subject.email.trim()]);
        return single(owners, 'owner');
      }
    }
  }

  /**
   * The live (not deprovisioned) agents whose tokens the subject's revocation ends: an owner's agents and every
   * descendant of those, whoever owns the descendant (as the offboarding cascade and `GET /owners/:id/agents` count
   * them); an agent and its descendants, whose tokens carry it in `act`.
   */
  async agentsOf(tx: EntityManager, subject: RevocationSubject): Promise<string[]> {
    const roots = subject.type === 'owner' ? `SELECT "id" FROM ${AGENTS} WHERE "owner_id" = $1` : `SELECT "id" FROM ${AGENTS} WHERE "id" = $1::uuid`;
    return ids(
      tx,
      `WITH RECURSIVE "tree" AS (${roots} UNION SELECT a."id" FROM ${AGENTS} a JOIN "tree" t ON a."parent_id" = t."id")
       SELECT "id" FROM ${AGENTS} WHERE "id" IN (SELECT "id" FROM "tree") AND "status" <> 'deprovisioned' ORDER BY "id"`,
      [subject.id],
    );
  }

  private async agentExists(tx: EntityManager, id: string): Promise<boolean> {
    return (await ids(tx, `SELECT "id" FROM ${AGENTS} WHERE "id" = $1::uuid`, [id])).length === 1;
  }
}

async function ids(tx: EntityManager, sql: string, params: unknown[]): Promise<string[]> {
  return ((await tx.query(sql, params)) as Array<{ id: string }>).map((row) => row.id);
}

function single(found: string[], type: 'owner'): RevocationSubject {
  if (found.length === 0) throw notFound();
  if (found.length > 1) {
    throw new GlobalTokenRevocationError(
      GlobalTokenRevocationErrorCode.SubjectAmbiguous,
      'The subject identifier names more than one owner; none was logged out. Use an opaque owner id or a linked iss_sub identity.',
    );
  }
  return { type, id: found[0] };
}

function notFound(): GlobalTokenRevocationError {
  return new GlobalTokenRevocationError(GlobalTokenRevocationErrorCode.SubjectNotFound, 'No agent or owner is known by this subject identifier.');
}

/** Issuer identifiers compare as strings (RFC 8414 §2); a trailing slash is the one difference tolerated. */
function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
