import { bandFor, ContainmentPolicy, DEFAULT_CONTAINMENT_POLICY, policyInconsistencies, severityOf, strongerBand } from './containment-policy';

describe('containment policy: score bands per risk tier', () => {
  it('by default alerts on every tier, contains only near-certain scores, and never deprovisions without an analyst', () => {
    const p = DEFAULT_CONTAINMENT_POLICY;
    expect(bandFor(p, 'low', 0.99999)).toBe('alert');
    expect(bandFor(p, 'low', 0.94)).toBe('observe');
    expect(bandFor(p, 'medium', 0.9)).toBe('alert');
    expect(bandFor(p, 'medium', 0.99)).toBe('contain');
    expect(bandFor(p, 'high', 0.969)).toBe('alert');
    expect(bandFor(p, 'high', 0.97)).toBe('contain');
    expect(bandFor(p, 'critical', 0.85)).toBe('alert');
    expect(bandFor(p, 'critical', 1)).toBe('contain');
    expect(policyInconsistencies(p)).toEqual([]);
  });

  it('takes the strongest band a score reaches, deprovisioning where a tier allows it', () => {
    const p: ContainmentPolicy = {
      ...DEFAULT_CONTAINMENT_POLICY,
      tiers: { ...DEFAULT_CONTAINMENT_POLICY.tiers, critical: { alert: 0.5, contain: 0.8, deprovision: 0.95 } },
    };
    expect(bandFor(p, 'critical', 0.49)).toBe('observe');
    expect(bandFor(p, 'critical', 0.5)).toBe('alert');
    expect(bandFor(p, 'critical', 0.9)).toBe('contain');
    expect(bandFor(p, 'critical', 0.95)).toBe('deprovision');
    expect(strongerBand('contain', 'alert')).toBe('contain');
    expect(severityOf('deprovision')).toBe('critical');
  });

  it('refuses thresholds that fall as the band grows stronger, skipping bands a tier does not use', () => {
    const tiers = {
      ...DEFAULT_CONTAINMENT_POLICY.tiers,
      high: { alert: 0.9, contain: null, deprovision: 0.85 },
      low: { alert: 0.99, contain: 0.95, deprovision: null },
    };
    expect(policyInconsistencies({ ...DEFAULT_CONTAINMENT_POLICY, tiers })).toEqual([
      '/tiers/low/contain must not be below /tiers/low/alert',
      '/tiers/high/deprovision must not be below /tiers/high/alert',
    ]);
  });
});
