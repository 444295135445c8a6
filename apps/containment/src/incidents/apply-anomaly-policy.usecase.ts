import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { ConsumedEvent } from '@agentgov/messaging';
import { getMeter } from '@agentgov/telemetry';

import { UniversalLogout } from '../actions/universal-logout';
import { Band, bandFor, bandRank, ContainmentPolicy, severityOf, strongerBand } from '../policy/containment-policy';
import { PolicyRepository } from '../policy/policy.repository';
import { KnownAgentsRepository } from '../registry/known-agents.repository';
import { Incident } from './incident';
import { IncidentAlerts } from './incident-alerts';
import { IncidentsRepository } from './incidents.repository';

/**
 * Policy on the baseliner's anomalies: one incident per agent per episode (a new episode joins the agent's
 * live incident, or its last one within the cooldown), escalated when a score reaches a stronger band, with
 * the action that band takes.
 */
@Injectable()
export class ApplyAnomalyPolicyUseCase {
  private readonly observed = getMeter('containment').createCounter('containment_anomalies_observed_total', {
    description: 'Anomalies below every alerting band of their tier: counted, no incident.',
  });

  constructor(
    private readonly policies: PolicyRepository,
    private readonly known: KnownAgentsRepository,
    private readonly incidents: IncidentsRepository,
    private readonly alerts: IncidentAlerts,
    private readonly logout: UniversalLogout,
  ) {}

  async execute(event: ConsumedEvent<'agent.anomaly.v1'>, tx: EntityManager): Promise<void> {
    const anomaly = event.data;
    const { version, policy } = await this.policies.current(tx);
    // Containment decides on its own copy of the registry, ordered by event time: the tier and owner an anomaly
    // carries are the baseliner's claim, not the registry's. An id the registry never announced is a shadow agent,
    // alerted on and never logged out, whatever kind the anomaly claims (its id would reach the connectors as a
    // user or client name that may belong to someone else).
    const known = anomaly.kind === 'shadow-agent' ? undefined : await this.known.find(tx, anomaly.agentId);
    const kind: Incident['kind'] = known ? anomaly.kind : 'shadow-agent';
    const tier = known?.riskTier ?? policy.unknownTier;
    const ownerId = known?.ownerId;
    const now = new Date();
    // Cooldowns compare the anomaly's own time (never later than now): a backlog processed late is judged as it happened.
    const at = new Date(Math.min(now.getTime(), Date.parse(anomaly.observedAt) || now.getTime()));

    let incident = await this.incidents.lockByEpisode(tx, anomaly.episodeId);
    if (anomaly.episodeState === 'ended') {
      if (incident && incident.episodeOpen) {
        incident.episodeOpen = false;
        incident.updatedAt = now;
        await this.alerts.saveAndPublish(tx, incident);
      }
      return;
    }

    let band: Band = kind === 'shadow-agent' ? policy.shadowAgent : bandFor(policy, tier, anomaly.score);
    let isNew = false;
    if (!incident) {
      if (band === 'observe') {
        this.observed.add(1, { kind: anomaly.kind });
        return;
      }
      incident = await this.joinable(tx, anomaly.agentId, kind, policy, at);
      if (incident) {
        await this.incidents.addEpisode(tx, incident.id, anomaly.episodeId);
        incident.episodeOpen = true;
        // A release request covers what the requesting analyst saw: a new episode withdraws it.
        incident.releaseRequest = undefined;
        if (incident.status === 'released' || incident.status === 'closed') incident.status = 'open';
      } else {
        isNew = true;
        incident = {
          id: randomUUID(),
          agentId: anomaly.agentId,
          kind,
          ...(ownerId ? { ownerId } : {}),
          riskTier: tier,
          status: 'open',
          band: 'observe',
          severity: severityOf('observe'),
          score: anomaly.score,
          explanation: anomaly.features,
          summary: anomaly.summary,
          policyVersion: version,
          episodeOpen: true,
          openedAt: now,
          updatedAt: now,
          revision: 0,
        };
        await this.incidents.insert(tx, incident, anomaly.episodeId);
      }
    }

    // After a release, the analyst's judgement stands for the cooldown unless the agent does worse than before, and
    // only for the episodes the analyst saw: a release cannot make an agent immune to what it does next.
    const releasedRecently = incident.releasedAt !== undefined && at.getTime() - incident.releasedAt.getTime() < policy.cooldownSeconds * 1000;
    if (
      releasedRecently &&
      anomaly.score <= (incident.releasedScore ?? 1) &&
      bandRank(band) > bandRank('alert') &&
      (await this.incidents.episodeJoinedBy(tx, anomaly.episodeId, incident.releasedAt as Date))
    )
      band = 'alert';

    const before = { band: incident.band, score: incident.score, status: incident.status, releaseRequest: incident.releaseRequest };
    if (anomaly.score > incident.score || isNew) {
      // A worse score than the one a release was asked at withdraws the request: the second analyst would
      // otherwise release what the first never saw.
      if (!isNew) incident.releaseRequest = undefined;
      incident.score = anomaly.score;
      incident.explanation = anomaly.features;
      incident.summary = anomaly.summary;
    }
    if (bandRank(band) > bandRank(incident.band)) {
      incident.band = strongerBand(incident.band, band);
      incident.severity = severityOf(incident.band);
      incident.policyVersion = version;
      if (band === 'contain' || band === 'deprovision') {
        await this.logout.start(tx, {
          agentId: incident.agentId,
          ownerId: incident.ownerId,
          kind: band,
          origin: 'policy',
          requestedBy: `policy-v${version}`,
          reason: `score ${anomaly.score.toFixed(3)} reached the ${band} band of the ${tier} tier: ${anomaly.summary}`.slice(0, 1000),
          incidentId: incident.id,
        });
        incident.status = band === 'contain' ? 'contained' : 'confirmed';
      }
    }
    if (
      isNew ||
      incident.band !== before.band ||
      incident.score !== before.score ||
      incident.status !== before.status ||
      incident.releaseRequest !== before.releaseRequest ||
      anomaly.episodeState === 'started'
    ) {
      incident.updatedAt = now;
      await this.alerts.saveAndPublish(tx, incident);
    }
  }

  /**
   * The incident a new episode joins: the agent's live incident, or one released or closed within the cooldown
   * (measured from the release, or from the last change of a closed one).
   */
  private async joinable(tx: EntityManager, agentId: string, kind: Incident['kind'], policy: ContainmentPolicy, at: Date): Promise<Incident | undefined> {
    const latest = await this.incidents.lockLatestOfAgent(tx, agentId, [kind]);
    if (!latest || latest.status === 'confirmed') return undefined;
    const since = latest.status === 'released' ? (latest.releasedAt ?? latest.updatedAt) : latest.status === 'closed' ? latest.updatedAt : undefined;
    if (since === undefined) return latest;
    return at.getTime() - since.getTime() < policy.cooldownSeconds * 1000 ? latest : undefined;
  }
}
