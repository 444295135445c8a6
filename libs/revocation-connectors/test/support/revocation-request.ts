import { ConnectorOutcome, RevocationRequest } from '../../src/revocation-connector';

export const ACTION_ID = '6f1c1b6e-3d5a-4f7e-9a51-2b0c8d4e7f10';
export const AGENT_ID = '0b7e4f52-8d1a-4c3e-b6f9-5a2d7c9e1f34';

export function aRevocationRequest(overrides: Partial<RevocationRequest> = {}): RevocationRequest {
  return {
    deliveryId: `${ACTION_ID}:test-connector`,
    actionId: ACTION_ID,
    agentId: AGENT_ID,
    ownerId: 'c3d2e1f0-1111-4222-8333-944455556666',
    kind: 'contain',
    reason: 'records touched 500 in 10 min, expected 15 a day',
    occurredAt: '2025-03-01T12:00:00.000Z',
    ...overrides,
  };
}

/** Everything an outcome says, for checking that no secret leaked into it. */
export function outcomeText(outcome: ConnectorOutcome): string {
  return JSON.stringify(outcome);
}
