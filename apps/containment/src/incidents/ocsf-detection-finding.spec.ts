import { toDetectionFinding } from './ocsf-detection-finding';

const alert = {
  incidentId: '9b2f6a1e-4c1d-4f7a-9e55-0d3c1b2a7f10',
  agentId: 'agent-1',
  ownerId: 'owner-1',
  riskTier: 'high' as const,
  status: 'contained' as const,
  severity: 'high' as const,
  score: 0.987,
  explanation: [{ name: 'records_per_10m', expected: 2, observed: 400, contribution: 0.9 }],
  actions: [
    {
      actionId: '5d1c8f0e-2b3a-4c5d-8e9f-a0b1c2d3e4f5',
      kind: 'contain' as const,
      receipts: [{ connector: 'issuer', status: 'confirmed' as const, at: '2026-11-29T10:00:01.000Z' }],
    },
  ],
  updatedAt: '2026-11-29T10:00:01.000Z',
};

describe('an incident as an OCSF Detection Finding', () => {
  it('carries the class, category, activity, severity, status, finding and the agent as resource', () => {
    const finding = toDetectionFinding({
      alert,
      kind: 'behavior',
      summary: 'agent-1 touched 400 records',
      openedAt: new Date('2026-11-29T10:00:00Z'),
      first: true,
    });
    expect(finding).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      severity_id: 4,
      status_id: 2,
      time: Date.parse(alert.updatedAt),
      confidence_score: 99,
      finding_info: { uid: alert.incidentId, types: ['behavior'], created_time: Date.parse('2026-11-29T10:00:00Z') },
      resources: [{ uid: 'agent-1', type: 'AI Agent', owner: { uid: 'owner-1' }, labels: ['risk-tier:high'] }],
    });
    expect(finding.unmapped).toEqual({ explanation: alert.explanation, actions: alert.actions });
  });

  it('is an Update while the incident is worked, and a Close once it is resolved', () => {
    const openedAt = new Date('2026-11-29T10:00:00Z');
    expect(toDetectionFinding({ alert, kind: 'behavior', summary: 's', openedAt, first: false })).toMatchObject({ activity_id: 2, type_uid: 200402 });
    expect(toDetectionFinding({ alert: { ...alert, status: 'released' }, kind: 'behavior', summary: 's', openedAt, first: false })).toMatchObject({
      activity_id: 3,
      status_id: 4,
    });
  });
});
