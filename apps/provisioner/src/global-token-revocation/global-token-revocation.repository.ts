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
const ASSERTIONS = '"provisioner"."gtr_assertions_used"';

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
   * What a trusted IdP's assertion may name (draft §6.1: only the users of its own tenant): an owner linked to an
   * identity at the IdP's `identitySource` (`PUT /owners/:id/identities`), by that identity (`iss_sub` with the IdP's
   * own `iss`) or by email. Agents and opaque ids are the registry's own business: 403. Anyone else: 404, as for a
   * user the IdP does not have.
   */
  async resolveForIdp(tx: EntityManager, subject: GlobalTokenRevocationSubject, idp: { issuer: string; identitySource: string }): Promise<RevocationSubject> {
    switch (subject.format) {
      case 'iss_sub': {
        if (!sameIssuer(subject.iss, idp.issuer)) throw outOfScope('An identity provider may name only its own users (iss_sub with its own iss) or emails.');
        const owners = await ids(tx, `SELECT DISTINCT "owner_id" AS "id" FROM ${IDENTITIES} WHERE "source" = $1 AND "external_id" = $2 LIMIT 2`, [
          idp.identitySource,
          subject.sub,
        ]);
        return single(owners, 'owner');
      }
      case 'email': {
        const owners = await ids(
          tx,
          `SELECT o."id" FROM ${OWNERS} o WHERE lower(o."email") = lower($1)
             AND EXISTS (SELECT 1 FROM ${IDENTITIES} i WHERE i."owner_id" = o."id" AND i."source" = $2) LIMIT 2`,
          [subject.email.trim(), idp.identitySource],
        );
        return single(owners, 'owner');
      }
      case 'opaque':
        throw outOfScope("An identity provider names its users by iss_sub or email; opaque ids are this registry's own.");
    }
  }

  /**
   * Records a trusted IdP's assertion as used, in the revocation's transaction (a refused or failed revocation leaves
   * it unused, so the IdP's retry with it is not a replay). False when it was used already: a concurrent request
   * with the same assertion waits for this one's commit, then finds it.
   */
  async useAssertion(tx: EntityManager, issuer: string, jti: string, expiresAt: Date): Promise<boolean> {
    // Expired ones can never verify again: no need to remember them.
    await tx.query(`DELETE FROM ${ASSERTIONS} WHERE "expires_at" < now()`);
    const rows = (await tx.query(`INSERT INTO ${ASSERTIONS} ("issuer", "jti", "expires_at") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING "jti"`, [
      issuer,
      jti,
      expiresAt,
    ])) as unknown[];
    return rows.length === 1;
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

function outOfScope(detail: string): GlobalTokenRevocationError {
  return new GlobalTokenRevocationError(GlobalTokenRevocationErrorCode.SubjectOutOfScope, detail);
}

function notFound(): GlobalTokenRevocationError {
  return new GlobalTokenRevocationError(GlobalTokenRevocationErrorCode.SubjectNotFound, 'No agent or owner is known by this subject identifier.');
}

/** Issuer identifiers compare as strings (RFC 8414 §2); a trailing slash is the one difference tolerated. */
function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
