import { BANDS, ContainmentPolicy, DEFAULT_SECOND_ANALYST_FROM, policyProblems, Tier, TIERS } from './policy-model';

/** The policy form's fields as typed: a score, or empty for "never". */
export interface PolicyDraft {
  tiers: Record<Tier, Record<(typeof BANDS)[number], string>>;
  shadowAgent: ContainmentPolicy['shadowAgent'];
  unknownTier: Tier;
  cooldownSeconds: string;
  releaseNeedsSecondAnalystFrom: string;
}

export function draftOf(policy: ContainmentPolicy): PolicyDraft {
  const text = (value: number | null) => (value === null ? '' : String(value));
  return {
    tiers: Object.fromEntries(
      TIERS.map((tier) => [tier, Object.fromEntries(BANDS.map((band) => [band, text(policy.tiers[tier][band])]))]),
    ) as PolicyDraft['tiers'],
    shadowAgent: policy.shadowAgent,
    unknownTier: policy.unknownTier,
    cooldownSeconds: String(policy.cooldownSeconds),
    releaseNeedsSecondAnalystFrom: String(policy.releaseNeedsSecondAnalystFrom ?? DEFAULT_SECOND_ANALYST_FROM),
  };
}

/** A typed number: a decimal comma is read as a point; anything else than a number is NaN (a problem to show). */
function parseNumber(text: string): number {
  const normalised = text.trim().replace(',', '.');
  return /^[0-9]*\.?[0-9]+$/.test(normalised) ? Number(normalised) : Number.NaN;
}

/** The policy the form says, and what is wrong with it (nothing is sent while something is). */
export function policyOfDraft(draft: PolicyDraft): { policy: ContainmentPolicy; problems: string[] } {
  const threshold = (text: string) => (text.trim() === '' ? null : parseNumber(text));
  const policy: ContainmentPolicy = {
    tiers: Object.fromEntries(
      TIERS.map((tier) => [tier, Object.fromEntries(BANDS.map((band) => [band, threshold(draft.tiers[tier][band])]))]),
    ) as ContainmentPolicy['tiers'],
    shadowAgent: draft.shadowAgent,
    unknownTier: draft.unknownTier,
    cooldownSeconds: parseNumber(draft.cooldownSeconds),
    releaseNeedsSecondAnalystFrom: parseNumber(draft.releaseNeedsSecondAnalystFrom),
  };
  return { policy, problems: policyProblems(policy) };
}
