import { AclOperationTypes, ResourcePatternTypes } from 'kafkajs';

import { TOPIC_CATALOG } from '@agentgov/contracts';

import { kafkaAcls, kafkaGrants, kafkaPrincipals } from './kafka-access';

const writes = (principal: string) =>
  kafkaGrants()
    .filter((g) => g.principal === principal && g.permission === 'write')
    .map((g) => g.name);

describe('the bus access table', () => {
  it('has one principal per service and per outside producer', () => {
    expect(kafkaPrincipals()).toEqual(['activity-gateway', 'behavior-baseliner', 'containment', 'hr-bridge', 'provisioner', 'review-scheduler']);
  });

  it('lets the outside producers write one topic each, and nothing else', () => {
    expect(kafkaGrants().filter((g) => g.principal === 'hr-bridge')).toEqual([
      { principal: 'hr-bridge', resource: 'topic', name: 'identity.lifecycle.v1', permission: 'write' },
    ]);
    expect(kafkaGrants().filter((g) => g.principal === 'activity-gateway')).toEqual([
      { principal: 'activity-gateway', resource: 'topic', name: 'agent.activity.v1', permission: 'write' },
    ]);
  });

  it('lets a service write only the topics the catalog says it produces, and the dead-letter topics of what it reads', () => {
    for (const principal of ['provisioner', 'behavior-baseliner', 'containment', 'review-scheduler']) {
      const produced = Object.values(TOPIC_CATALOG)
        .filter((s) => s.producers.includes(principal))
        .map((s) => s.name as string);
      const dlqs = Object.values(TOPIC_CATALOG)
        .filter((s) => s.consumers.includes(principal))
        .map((s) => `${s.name}.dlq`);
      expect(writes(principal).sort()).toEqual([...produced, ...dlqs].sort());
    }
    // The topics that suspend agents or terminate owners: nobody but their producers.
    expect(
      kafkaGrants()
        .filter((g) => g.name === 'containment.action.v1' && g.permission === 'write')
        .map((g) => g.principal),
    ).toEqual(['containment']);
    expect(
      kafkaGrants()
        .filter((g) => g.name === 'agent.anomaly.v1' && g.permission === 'write')
        .map((g) => g.principal),
    ).toEqual(['behavior-baseliner']);
  });

  it('makes literal ACLs under the prefix, so no other topic or group matches them', () => {
    const acls = kafkaAcls('t_0123456789.');
    expect(acls.every((a) => a.resourcePatternType === ResourcePatternTypes.LITERAL && a.resourceName.startsWith('t_0123456789.'))).toBe(true);
    expect(acls.filter((a) => a.principal === 'User:hr-bridge')).toEqual([
      expect.objectContaining({ resourceName: 't_0123456789.identity.lifecycle.v1', operation: AclOperationTypes.WRITE }),
    ]);
  });
});
