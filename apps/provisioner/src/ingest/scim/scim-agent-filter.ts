import { SCIM_AGENT_EXTENSION_SCHEMA, SCIM_AGENT_SCHEMA } from './scim-agent';
import { parseFilterWith, ScimFilterNode, ScimFilterParser } from './scim-filter-grammar';
import { ScimError } from './scim.errors';

/**
 * A parsed Agent `filter` (RFC 7644 §3.4.2.2). Every comparison is on the attribute as the resource shows it:
 * - `agentUserName`, `displayName`: caseExact false, compared without case;
 * - `externalId`, `id`: caseExact true;
 * - `owner`: the value of the agent's one owner (owners.value, owners[value eq "..."]), a User id, caseExact true.
 * `constant` is a comparison on the owner's fixed sub-attribute (type, always "User") already decided.
 * What an identity provider sends before it creates an agent: displayName or externalId (draft-abbey-scim-agent-
 * extension-00, "Agent filtering": equality on the name and externalId is RECOMMENDED), and the owner reference
 * to find the agents of a user.
 */
export type ScimAgentFilter = ScimFilterNode<
  { op: 'eq'; attribute: 'id' | 'agentUserName' | 'displayName' | 'externalId' | 'owner'; value: string } | { op: 'constant'; value: boolean }
>;

export const SUPPORTED_AGENT_FILTERS =
  'Supported filters: eq on agentUserName, displayName, externalId, id and owners.value (also owners[value eq "..."]), ' +
  'combined with and, or, not and parentheses';

/** The one owner an Agent shows (see renderScimAgent): its fixed sub-attribute. */
const OWNER_TYPE = 'user';
const CORE_PREFIX = `${SCIM_AGENT_SCHEMA.toLowerCase()}:`;

export function parseScimAgentFilter(filter: unknown): ScimAgentFilter | undefined {
  return parseFilterWith(filter, (tokens) => new AgentFilterParser(tokens));
}

type Attribute = { name: 'id' | 'agentUserName' | 'displayName' | 'externalId' } | { name: 'owners'; sub?: 'value' | 'type' };

class AgentFilterParser extends ScimFilterParser<Exclude<ScimAgentFilter, { op: 'and' | 'or' | 'not' }>> {
  protected readonly supported = SUPPORTED_AGENT_FILTERS;

  protected comparison(depth: number): ScimAgentFilter {
    const attribute = agentAttribute(this.attributePath('The filter is missing an attribute'));
    if (this.opensValuePath()) {
      if (attribute.name !== 'owners' || attribute.sub) throw ScimError.invalidFilter(SUPPORTED_AGENT_FILTERS);
      const entry = this.expression(depth + 1, () => this.ownerCompare(ownerSub(this.attributePath('The filter is missing an owners sub-attribute'))));
      this.expect(']');
      const sub = this.subAttributeAfterValuePath();
      return sub === undefined ? entry : { op: 'and', left: entry, right: this.ownerCompare(ownerSub(sub)) };
    }
    if (attribute.name === 'owners') return this.ownerCompare(attribute.sub ?? 'value');
    return { op: 'eq', attribute: attribute.name, value: this.stringOperand() };
  }

  private ownerCompare(sub: 'value' | 'type'): ScimAgentFilter {
    const value = this.stringOperand();
    if (sub === 'type') return { op: 'constant', value: value.toLowerCase() === OWNER_TYPE };
    return { op: 'eq', attribute: 'owner', value };
  }
}

function agentAttribute(path: string): Attribute {
  let lower = path.toLowerCase();
  if (lower.startsWith(CORE_PREFIX)) lower = lower.slice(CORE_PREFIX.length);
  else if (lower.startsWith(`${SCIM_AGENT_EXTENSION_SCHEMA.toLowerCase()}:`) || lower.startsWith('urn:')) {
    throw ScimError.invalidFilter(`Filtering on that attribute is not supported. ${SUPPORTED_AGENT_FILTERS}`);
  }
  if (lower === 'id') return { name: 'id' };
  if (lower === 'agentusername') return { name: 'agentUserName' };
  if (lower === 'displayname') return { name: 'displayName' };
  if (lower === 'externalid') return { name: 'externalId' };
  if (lower === 'owners') return { name: 'owners' };
  if (lower.startsWith('owners.')) return { name: 'owners', sub: ownerSub(lower.slice('owners.'.length)) };
  throw ScimError.invalidFilter(`Filtering on that attribute is not supported. ${SUPPORTED_AGENT_FILTERS}`);
}

function ownerSub(name: string): 'value' | 'type' {
  const lower = name.toLowerCase();
  if (lower === 'value' || lower === 'type') return lower;
  throw ScimError.invalidFilter(`Filtering on that owners sub-attribute is not supported. ${SUPPORTED_AGENT_FILTERS}`);
}
