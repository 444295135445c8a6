import { AgentLifecycleEvent, IdentityLifecycleEvent } from '../index';
import { deterministicUuid, isUuid, keyedUuid } from './ids';
import { isRiskTier, RiskTier } from './risk-tiers';
import { eventSourceOf, SERVICE_NAMES } from './services';
import { AgentStatus, OWNER_STATUS_AFTER } from './statuses';

describe('shared vocabulary', () => {
  it('derives the same uuid from the same parts, and different ones when the parts only blur', () => {
    const id = deterministicUuid('okta', 'event-1');
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('5');
    expect(deterministicUuid('okta', 'event-1')).toBe(id);
    expect(deterministicUuid('a:b', 'c')).not.toBe(deterministicUuid('a', 'b:c'));
    expect(deterministicUuid('okta', 'event-2')).not.toBe(id);
  });

  it('keeps the ids the provisioner already derived (a re-delivery after an upgrade is still a duplicate)', () => {
    // Computed by the provisioner's own function before the scheme moved here.
    expect(deterministicUuid('scim', 'owner-1', 'DELETE')).toBe('35b1a7bf-2957-5b40-86a1-7d318fb3649f');
  });

  it('derives keyed ids that repeat for the same input and key, and that nobody without the key can compute', () => {
    const key = Buffer.alloc(32, 7);
    const id = keyedUuid(key, 'scim', 'owner-1', 'DELETE');
    expect(isUuid(id)).toBe(true);
    expect(keyedUuid(key, 'scim', 'owner-1', 'DELETE')).toBe(id);
    expect(keyedUuid(Buffer.alloc(32, 8), 'scim', 'owner-1', 'DELETE')).not.toBe(id);
    expect(id).not.toBe(deterministicUuid('scim', 'owner-1', 'DELETE'));
  });

  it('accepts uuids only', () => {
    expect(isUuid('2f1b4a7e-0c4d-4a8e-9f3b-1d2e3f4a5b6c')).toBe(true);
    expect(isUuid('2F1B4A7E-0C4D-4A8E-9F3B-1D2E3F4A5B6C')).toBe(true);
    expect(isUuid('2f1b4a7e-0c4d-4a8e-9f3b-1d2e3f4a5b6c\n')).toBe(false);
    expect(isUuid('shadow-agent')).toBe(false);
    expect(isUuid(42)).toBe(false);
  });

  it('names the risk tiers and statuses the event schemas allow', () => {
    const tier: RiskTier = 'critical';
    const fromEvent: AgentLifecycleEvent['riskTier'] = tier;
    const status: AgentStatus = 'deprovisioned';
    const fromEventStatus: AgentLifecycleEvent['status'] = status;
    expect([fromEvent, fromEventStatus]).toEqual(['critical', 'deprovisioned']);
    expect(isRiskTier('high')).toBe(true);
    expect(isRiskTier('severe')).toBe(false);
  });

  it('maps every identity lifecycle kind to the owner status it leads to', () => {
    const kinds: IdentityLifecycleEvent['kind'][] = ['owner.terminated', 'owner.suspended', 'owner.reinstated', 'owner.transferred'];
    expect(kinds.map((k) => OWNER_STATUS_AFTER[k])).toEqual(['terminated', 'suspended', 'active', undefined]);
  });

  it('gives every service the same ce_source shape', () => {
    expect(SERVICE_NAMES.map(eventSourceOf)).toEqual([
      '/agentgov/provisioner',
      '/agentgov/behavior-baseliner',
      '/agentgov/containment',
      '/agentgov/review-scheduler',
    ]);
  });
});
