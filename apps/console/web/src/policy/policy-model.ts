/** Containment's policy, as GET /policy and PUT /policy have it (apps/containment/src/policy/containment-policy.ts). */
export interface ContainmentPolicy {
  tiers: Record<Tier, TierBands>;
  shadowAgent: 'observe' | 'alert';
  unknownTier: Tier;
  cooldownSeconds: number;
  /** Absent in policies from before it existed: containment applies DEFAULT_SECOND_ANALYST_FROM. */
  releaseNeedsSecondAnalystFrom?: number;
}

export type Tier = 'low' | 'medium' | 'high' | 'critical';
export type Band = 'alert' | 'contain' | 'deprovision';

/** The lowest score at which each band applies; null: never by policy alone. */
export type TierBands = Record<Band, number | null>;

export interface PolicyVersion {
  version: number;
  policy: ContainmentPolicy;
  createdBy: string;
  reason: string;
  createdAt: string;
}

export const TIERS: readonly Tier[] = ['critical', 'high', 'medium', 'low'];
export const BANDS: readonly Band[] = ['alert', 'contain', 'deprovision'];
/** Containment's default when a policy does not say (containment-policy.ts). */
export const DEFAULT_SECOND_ANALYST_FROM = 0.99;
export const MAX_COOLDOWN_SECONDS = 7 * 86_400;

const BAND_WORDS: Record<Band, string> = { alert: 'alert from score', contain: 'contain from score', deprovision: 'deprovision from score' };
const TIER_WORDS: Record<Tier, string> = { critical: 'Critical-risk agents', high: 'High-risk agents', medium: 'Medium-risk agents', low: 'Low-risk agents' };

/** One setting of the policy: where it is, what people call it, and its value as they read it. */
interface Setting {
  path: string;
  label: string;
  read(policy: ContainmentPolicy): unknown;
  write(policy: ContainmentPolicy, value: unknown): void;
  show(value: unknown): string;
}

const score = (value: unknown) => (value === null || value === undefined ? 'never' : String(value));

/** Every setting, in the order the page shows them. */
export const SETTINGS: readonly Setting[] = [
  ...TIERS.flatMap((tier) =>
    BANDS.map((band): Setting => ({
      path: `tiers.${tier}.${band}`,
      label: `${TIER_WORDS[tier]}: ${BAND_WORDS[band]}`,
      read: (p) => p.tiers[tier][band],
      write: (p, v) => (p.tiers[tier][band] = v as number | null),
      show: score,
    })),
  ),
  {
    path: 'shadowAgent',
    label: 'Activity of an agent the registry never announced',
    read: (p) => p.shadowAgent,
    write: (p, v) => (p.shadowAgent = v as ContainmentPolicy['shadowAgent']),
    show: (v) => (v === 'alert' ? 'alert' : 'observe only'),
  },
  {
    path: 'unknownTier',
    label: 'Risk tier assumed for an agent containment does not know',
    read: (p) => p.unknownTier,
    write: (p, v) => (p.unknownTier = v as Tier),
    show: (v) => String(v),
  },
  {
    path: 'cooldownSeconds',
    label: 'Cooldown after an incident (seconds)',
    read: (p) => p.cooldownSeconds,
    write: (p, v) => (p.cooldownSeconds = v as number),
    show: (v) => cooldownWords(v as number),
  },
  {
    path: 'releaseNeedsSecondAnalystFrom',
    label: 'Releasing takes two analysts from score',
    read: (p) => p.releaseNeedsSecondAnalystFrom ?? DEFAULT_SECOND_ANALYST_FROM,
    write: (p, v) => (p.releaseNeedsSecondAnalystFrom = v as number),
    show: score,
  },
];

export function cooldownWords(seconds: number): string {
  if (seconds === 0) return 'none';
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** A setting that differs between two policies. */
export interface PolicyChange {
  path: string;
  label: string;
  before: string;
  after: string;
}

/** What differs from `from` to `to`, setting by setting. */
export function diffPolicies(from: ContainmentPolicy, to: ContainmentPolicy): PolicyChange[] {
  return SETTINGS.filter((s) => s.read(from) !== s.read(to)).map((s) => ({
    path: s.path,
    label: s.label,
    before: s.show(s.read(from)),
    after: s.show(s.read(to)),
  }));
}

export function clonePolicy(policy: ContainmentPolicy): ContainmentPolicy {
  return JSON.parse(JSON.stringify(policy)) as ContainmentPolicy;
}

/** Rules the form checks before sending, the same containment applies (it refuses the rest with its own words). */
export function policyProblems(policy: ContainmentPolicy): string[] {
  const problems: string[] = [];
  for (const tier of TIERS) {
    for (const band of BANDS) {
      const value = policy.tiers[tier][band];
      if (value !== null && !(Number.isFinite(value) && value >= 0 && value <= 1))
        problems.push(`${TIER_WORDS[tier]}: ${band} must be a score between 0 and 1, or never.`);
    }
    const set = BANDS.filter((band) => policy.tiers[tier][band] !== null);
    for (let i = 1; i < set.length; i++) {
      if ((policy.tiers[tier][set[i]] as number) < (policy.tiers[tier][set[i - 1]] as number)) {
        problems.push(`${TIER_WORDS[tier]}: ${set[i]} must not start below ${set[i - 1]} (a stronger action needs at least the same score).`);
      }
    }
  }
  if (!Number.isInteger(policy.cooldownSeconds) || policy.cooldownSeconds < 0 || policy.cooldownSeconds > MAX_COOLDOWN_SECONDS) {
    problems.push(`The cooldown must be a whole number of seconds from 0 to ${MAX_COOLDOWN_SECONDS} (7 days).`);
  }
  const second = policy.releaseNeedsSecondAnalystFrom;
  if (second !== undefined && !(Number.isFinite(second) && second >= 0 && second <= 1)) problems.push('The two-analyst release score must be between 0 and 1.');
  return problems;
}

/** An edit carried over to a newer version: the edit's own changes applied on it, and where both changed a setting. */
export interface Rebased {
  policy: ContainmentPolicy;
  /** The edit's changes, now on the newer version. */
  reapplied: PolicyChange[];
  /** Settings both the edit and the newer version changed, to different values: the edit's value is kept, to check. */
  conflicts: Array<{ label: string; theirs: string; yours: string }>;
}

/**
 * Re-applies an edit made on `base` to `current` (a newer version someone saved meanwhile): every setting the edit
 * changed takes the edit's value, every other keeps the newer version's.
 */
export function rebaseEdit(base: ContainmentPolicy, edited: ContainmentPolicy, current: ContainmentPolicy): Rebased {
  const policy = clonePolicy(current);
  const reapplied: PolicyChange[] = [];
  const conflicts: Rebased['conflicts'] = [];
  for (const setting of SETTINGS) {
    const mine = setting.read(edited);
    if (mine === setting.read(base)) continue;
    const theirs = setting.read(current);
    if (theirs !== setting.read(base) && theirs !== mine) conflicts.push({ label: setting.label, theirs: setting.show(theirs), yours: setting.show(mine) });
    if (theirs !== mine) reapplied.push({ path: setting.path, label: setting.label, before: setting.show(theirs), after: setting.show(mine) });
    setting.write(policy, mine);
  }
  return { policy, reapplied, conflicts };
}
