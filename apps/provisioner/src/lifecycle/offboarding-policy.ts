import { RiskTier } from '@agentgov/contracts';

export type OffboardingAction = 'deprovision' | 'suspend' | 'reassign';

export interface OffboardingPolicy {
  default: OffboardingAction;
  byRiskTier?: Partial<Record<RiskTier, OffboardingAction>>;
  byPurpose?: Record<string, OffboardingAction>;
}

const ACTIONS = new Set<OffboardingAction>(['deprovision', 'suspend', 'reassign']);
const TIERS = new Set(['low', 'medium', 'high', 'critical']);

/** Parses OFFBOARDING_POLICY; a bad policy stops the service at boot with the variable's name. */
export function parseOffboardingPolicy(raw: string): OffboardingPolicy {
  const fail = (why: string): never => {
    throw new Error(`OFFBOARDING_POLICY: ${why}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail('is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return fail('must be a JSON object');
  const { default: fallback = 'deprovision', byRiskTier = {}, byPurpose = {}, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length) fail(`unknown keys ${Object.keys(rest).join(', ')}`);
  const action = (v: unknown, where: string): OffboardingAction => {
    if (!ACTIONS.has(v as OffboardingAction)) fail(`${where} must be one of deprovision, suspend, reassign`);
    return v as OffboardingAction;
  };
  const map = (v: unknown, where: string, keyOk: (k: string) => boolean) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) fail(`${where} must be an object`);
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, a]) => {
        if (!keyOk(k)) fail(`${where} has an unknown key ${k}`);
        return [k, action(a, `${where}.${k}`)];
      }),
    );
  };
  return {
    default: action(fallback, 'default'),
    byRiskTier: map(byRiskTier, 'byRiskTier', (k) => TIERS.has(k)),
    byPurpose: map(byPurpose, 'byPurpose', () => true),
  };
}

/** The most specific rule wins: purpose, then risk tier, then the default. */
export function offboardingActionFor(policy: OffboardingPolicy, agent: { purpose: string; riskTier: RiskTier }): OffboardingAction {
  return policy.byPurpose?.[agent.purpose] ?? policy.byRiskTier?.[agent.riskTier] ?? policy.default;
}
