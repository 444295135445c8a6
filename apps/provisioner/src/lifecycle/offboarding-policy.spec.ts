import { offboardingActionFor, parseOffboardingPolicy } from './offboarding-policy';

describe('the offboarding policy', () => {
  it('defaults to deprovisioning and lets purpose win over risk tier', () => {
    const policy = parseOffboardingPolicy('{"default":"deprovision","byRiskTier":{"critical":"suspend"},"byPurpose":{"payroll":"reassign"}}');
    expect(offboardingActionFor(policy, { purpose: 'crm-sync', riskTier: 'low' })).toBe('deprovision');
    expect(offboardingActionFor(policy, { purpose: 'crm-sync', riskTier: 'critical' })).toBe('suspend');
    expect(offboardingActionFor(policy, { purpose: 'payroll', riskTier: 'critical' })).toBe('reassign');
    expect(parseOffboardingPolicy('{}').default).toBe('deprovision');
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[]', /JSON object/],
    ['{"default":"delete"}', /default must be one of/],
    ['{"byRiskTier":{"extreme":"suspend"}}', /unknown key extreme/],
    ['{"byPurpose":{"payroll":"archive"}}', /byPurpose.payroll must be one of/],
    ['{"whatever":1}', /unknown keys whatever/],
  ])('refuses %s at boot, naming the variable', (raw, message) => {
    expect(() => parseOffboardingPolicy(raw)).toThrow(/^OFFBOARDING_POLICY: /);
    expect(() => parseOffboardingPolicy(raw)).toThrow(message);
  });
});
