import { RISK_TIERS, RiskTier, TopicPayloads } from '@agentgov/contracts';

/** What policy does about a score, in rising order of force. */
export type Band = 'observe' | 'alert' | 'contain' | 'deprovision';
export const BANDS: readonly Band[] = ['observe', 'alert', 'contain', 'deprovision'];

/** The lowest score at which each band applies; null: policy never takes that band for the tier by itself. */
export interface TierBands {
  alert: number | null;
  contain: number | null;
  deprovision: number | null;
}

export interface ContainmentPolicy {
  tiers: Record<RiskTier, TierBands>;
  /**
   * Activity from an agent the registry never announced: observed or alerted, never acted on automatically. Its
   * id is whatever the activity carried, so logging it out could hit a human account of the same name.
   */
  shadowAgent: 'observe' | 'alert';
  /**
   * Tier recorded on the incidents of an id the registry has not announced (to containment's own copy): such an agent is
   * a shadow agent, alerted on at `shadowAgent` and never logged out, whatever the anomaly claims.
   */
  unknownTier: RiskTier;
  /**
   * Anti-flapping: a new episode this soon after the agent's last incident changed joins that incident
   * instead of opening another, and after a release, policy only alerts (never re-contains) for this long
   * unless the score passes the one the analyst released (and only for the episodes the analyst saw).
   */
  cooldownSeconds: number;
  /**
   * Separation of duties: releasing an incident whose score reached this needs two analysts (the first asks, a
   * second one releases). Absent in policies from before it existed: DEFAULT_SECOND_ANALYST_FROM applies.
   */
  releaseNeedsSecondAnalystFrom?: number;
}

/** Releasing a containment of this score or more takes two analysts unless policy says otherwise. */
export const DEFAULT_SECOND_ANALYST_FROM = 0.99;

/**
 * Safe by default: alert on every tier, contain only high and critical agents on near-certain scores, and
 * never deprovision without an analyst.
 */
export const DEFAULT_CONTAINMENT_POLICY: ContainmentPolicy = {
  tiers: {
    low: { alert: 0.95, contain: null, deprovision: null },
    medium: { alert: 0.9, contain: 0.99, deprovision: null },
    high: { alert: 0.9, contain: 0.97, deprovision: null },
    critical: { alert: 0.85, contain: 0.95, deprovision: null },
  },
  shadowAgent: 'alert',
  unknownTier: 'high',
  cooldownSeconds: 900,
  releaseNeedsSecondAnalystFrom: DEFAULT_SECOND_ANALYST_FROM,
};

export function bandRank(band: Band): number {
  return BANDS.indexOf(band);
}

export function strongerBand(a: Band, b: Band): Band {
  return bandRank(a) >= bandRank(b) ? a : b;
}

/** The strongest band whose threshold the score reaches. */
export function bandFor(policy: ContainmentPolicy, tier: RiskTier, score: number): Band {
  const bands = policy.tiers[tier];
  if (bands.deprovision !== null && score >= bands.deprovision) return 'deprovision';
  if (bands.contain !== null && score >= bands.contain) return 'contain';
  if (bands.alert !== null && score >= bands.alert) return 'alert';
  return 'observe';
}

type Severity = TopicPayloads['containment.alert.v1']['severity'];

export function severityOf(band: Band): Severity {
  return ({ observe: 'low', alert: 'medium', contain: 'high', deprovision: 'critical' } as const)[band];
}

const threshold = { type: ['number', 'null'], minimum: 0, maximum: 1 };

/** JSON Schema of a policy as an admin submits it. */
export const CONTAINMENT_POLICY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['tiers', 'shadowAgent', 'unknownTier', 'cooldownSeconds'],
  properties: {
    tiers: {
      type: 'object',
      additionalProperties: false,
      required: [...RISK_TIERS],
      properties: Object.fromEntries(
        RISK_TIERS.map((tier) => [
          tier,
          {
            type: 'object',
            additionalProperties: false,
            required: ['alert', 'contain', 'deprovision'],
            properties: { alert: threshold, contain: threshold, deprovision: threshold },
          },
        ]),
      ),
    },
    shadowAgent: { type: 'string', enum: ['observe', 'alert'] },
    unknownTier: { type: 'string', enum: [...RISK_TIERS] },
    cooldownSeconds: { type: 'integer', minimum: 0, maximum: 7 * 86400 },
    releaseNeedsSecondAnalystFrom: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

/** Rules a schema cannot say: each tier's thresholds rise with the band's force. */
export function policyInconsistencies(policy: ContainmentPolicy): string[] {
  const problems: string[] = [];
  for (const tier of RISK_TIERS) {
    const set = (['alert', 'contain', 'deprovision'] as const).filter((b) => policy.tiers[tier][b] !== null);
    for (let i = 1; i < set.length; i++) {
      const [lower, higher] = [set[i - 1], set[i]];
      if ((policy.tiers[tier][higher] as number) < (policy.tiers[tier][lower] as number)) {
        problems.push(`/tiers/${tier}/${higher} must not be below /tiers/${tier}/${lower}`);
      }
    }
  }
  return problems;
}
