import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Admin, ResourcePatternTypes, type AclEntry } from 'kafkajs';

import { dlqTopicOf, SERVICE_NAMES, TOPIC_CATALOG } from '@agentgov/contracts';

/**
 * Who may do what on the bus: one Kafka principal per service and per outside producer, each allowed exactly what
 * the topic catalog says it does, and nothing else (the broker runs with no access without an ACL). This table is
 * the one source: scripts/infra applies it to the local broker, the tests apply it under their topic prefix, and
 * deploy/README.md renders it for operators (a test keeps the two equal).
 *
 *  - a producer of a topic may WRITE it (idempotent producers need nothing more since Kafka 3.0);
 *  - a consumer may READ it, with its consumer group, and WRITE the topic's dead-letter topic;
 *  - outside producers are named by their catalog entry: `external:hr-idp` is the principal `hr-bridge`,
 *    `external:agent-gateways` is `activity-gateway`. Outside consumers (a SIEM, notifications) get principals of
 *    their own from the operator.
 */
export const EXTERNAL_PRINCIPALS: Readonly<Record<string, string>> = {
  'external:hr-idp': 'hr-bridge',
  'external:agent-gateways': 'activity-gateway',
};

export type KafkaPermission = 'write' | 'read';

export interface KafkaGrant {
  principal: string;
  resource: 'topic' | 'group';
  /** Without the prefix. */
  name: string;
  permission: KafkaPermission;
}

/** Consumer groups beyond the service's own (named like the service): the baseliner's scoring threads. */
const EXTRA_GROUPS: Readonly<Record<string, readonly string[]>> = { 'behavior-baseliner': ['behavior-baseliner.scoring'] };

function principalOf(party: string): string | undefined {
  if (party.startsWith('external:')) return EXTERNAL_PRINCIPALS[party];
  return (SERVICE_NAMES as readonly string[]).includes(party) ? party : undefined;
}

/** Every grant, sorted by principal, then resource and name. */
export function kafkaGrants(): KafkaGrant[] {
  const grants: KafkaGrant[] = [];
  for (const spec of Object.values(TOPIC_CATALOG)) {
    for (const party of spec.producers) {
      const principal = principalOf(party);
      if (principal) grants.push({ principal, resource: 'topic', name: spec.name, permission: 'write' });
    }
    for (const party of spec.consumers) {
      const principal = principalOf(party);
      if (!principal) continue;
      grants.push({ principal, resource: 'topic', name: spec.name, permission: 'read' });
      grants.push({ principal, resource: 'topic', name: dlqTopicOf(spec.name), permission: 'write' });
    }
  }
  const consumers = new Set(Object.values(TOPIC_CATALOG).flatMap((s) => s.consumers.map(principalOf).filter((p): p is string => p !== undefined)));
  for (const service of consumers) {
    for (const group of [service, ...(EXTRA_GROUPS[service] ?? [])]) grants.push({ principal: service, resource: 'group', name: group, permission: 'read' });
  }
  const key = (g: KafkaGrant) => `${g.principal}\u0000${g.resource}\u0000${g.name}\u0000${g.permission}`;
  return [...new Map(grants.map((g) => [key(g), g])).values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Every principal the table names. */
export function kafkaPrincipals(): string[] {
  return [...new Set(kafkaGrants().map((g) => g.principal))].sort();
}

/** The broker ACLs of the grants, on topic and group names with `prefix` in front (LITERAL: nothing else matches). */
export function kafkaAcls(prefix = '', grants: readonly KafkaGrant[] = kafkaGrants()): AclEntry[] {
  return grants.map((g) => ({
    resourceType: g.resource === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
    resourceName: prefix + g.name,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: `User:${g.principal}`,
    host: '*',
    operation: g.permission === 'write' ? AclOperationTypes.WRITE : AclOperationTypes.READ,
    permissionType: AclPermissionTypes.ALLOW,
  }));
}

/** Creates the ACLs (idempotent: the broker keeps one of each). Needs an admin allowed to alter ACLs. */
export async function applyKafkaAccess(admin: Admin, prefix = ''): Promise<number> {
  const acl = kafkaAcls(prefix);
  await admin.createAcls({ acl });
  return acl.length;
}

/** Removes the ACLs applyKafkaAccess created for this prefix (a test's, when it ends). */
export async function removeKafkaAccess(admin: Admin, prefix: string): Promise<void> {
  await admin.deleteAcls({ filters: kafkaAcls(prefix) });
}

/**
 * The table and commands an operator needs, as deploy/README.md prints them (test/docs keeps the README equal to
 * this): one row per principal, and the kafka-acls commands that create exactly those ACLs.
 */
export function renderKafkaAccess(): string {
  const grants = kafkaGrants();
  const names = (principal: string, resource: KafkaGrant['resource'], permission: KafkaPermission) =>
    grants
      .filter((g) => g.principal === principal && g.resource === resource && g.permission === permission)
      .map((g) => `\`${g.name}\``)
      .join(', ') || '-';
  const rows = kafkaPrincipals().map((p) => `| \`${p}\` | ${names(p, 'topic', 'write')} | ${names(p, 'topic', 'read')} | ${names(p, 'group', 'read')} |`);
  const commands = grants.map(
    (g) =>
      `kafka-acls.sh --bootstrap-server "$BROKERS" --command-config admin.properties --add --allow-principal User:${g.principal} ` +
      `--operation ${g.permission === 'write' ? 'Write' : 'Read'} --${g.resource} "\${PREFIX}${g.name}"`,
  );
  return [
    '| principal | writes (topics) | reads (topics) | consumer groups |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '```sh',
    '# PREFIX is your KAFKA_TOPIC_PREFIX (empty by default); admin.properties holds an admin principal’s SASL_SSL settings.',
    ...commands,
    '```',
  ].join('\n');
}

/**
 * Resolves once every ACL of the prefix is in force. New ACLs reach the authorizer through the metadata log, so a
 * client that connects right after createAcls can still be refused for a moment.
 */
export async function waitForKafkaAccess(admin: Admin, prefix: string, timeoutMs = 30_000): Promise<void> {
  const expected = kafkaAcls(prefix).length;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const present = resources.filter((r) => r.resourceName.startsWith(prefix)).reduce((n, r) => n + r.acls.length, 0);
    if (present >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${present} of the ${expected} ACLs of prefix ${prefix} are in force after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
