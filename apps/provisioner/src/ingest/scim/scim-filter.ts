import { parseFilterWith, ScimFilterNode, ScimFilterParser } from './scim-filter-grammar';
import { SCIM_ENTERPRISE_USER_SCHEMA, SCIM_USER_SCHEMA } from './scim.constants';
import { ScimError } from './scim.errors';

export { MAX_FILTER_LENGTH } from './scim-filter-grammar';

/**
 * A parsed `filter` (RFC 7644 §3.4.2.2), reduced to what a User resource here can be compared on. Every
 * comparison is on the attribute as the resource shows it, so that a filter finds exactly the users whose
 * answer carries the value:
 * - `userName`: caseExact false (RFC 7643 §4.1.1), so compared without case;
 * - `externalId`, `id`: caseExact true;
 * - `email`: the value of the one email a user shows (type "work", primary), caseExact false.
 * `emailPresent` holds when the user shows an email at all; `constant` is a sub-filter on that email's fixed
 * sub-attributes (type, primary) already decided.
 */
export type ScimUserFilter = ScimFilterNode<
  { op: 'eq'; attribute: 'id' | 'userName' | 'externalId' | 'email'; value: string } | { op: 'emailPresent' } | { op: 'constant'; value: boolean }
>;

/** The one email a User shows (see renderScimUser): its fixed sub-attributes. */
const EMAIL_TYPE = 'work';
const EMAIL_PRIMARY = true;

export const SUPPORTED_FILTERS =
  'Supported filters: eq on userName, externalId, id and emails.value (also emails[type eq "work"].value and emails[value eq "..."]), ' +
  'combined with and, or, not and parentheses';

/** Parses a filter; anything outside the supported set is a 400 invalidFilter that does not repeat the filter. */
export function parseScimFilter(filter: unknown): ScimUserFilter | undefined {
  return parseFilterWith(filter, (tokens) => new UserFilterParser(tokens));
}

type Attribute = { name: 'id' | 'userName' | 'externalId' } | { name: 'emails'; sub?: 'value' | 'type' | 'primary' };

class UserFilterParser extends ScimFilterParser<Exclude<ScimUserFilter, { op: 'and' | 'or' | 'not' }>> {
  protected readonly supported = SUPPORTED_FILTERS;

  protected comparison(depth: number): ScimUserFilter {
    const attribute = userAttribute(this.attributePath('The filter is missing an attribute'));
    if (this.opensValuePath()) {
      // valuePath: emails[valFilter], optionally followed (as Entra ID sends it) by .value eq "...".
      if (attribute.name !== 'emails' || attribute.sub) throw ScimError.invalidFilter(SUPPORTED_FILTERS);
      const entry = this.expression(depth + 1, () => this.emailCompare(emailSub(this.attributePath('The filter is missing an email sub-attribute'))));
      this.expect(']');
      const sub = this.subAttributeAfterValuePath();
      if (sub === undefined) return { op: 'and', left: { op: 'emailPresent' }, right: entry };
      const subAttribute = emailSub(sub);
      return { op: 'and', left: { op: 'and', left: { op: 'emailPresent' }, right: entry }, right: this.emailCompare(subAttribute) };
    }
    if (attribute.name === 'emails') return { op: 'and', left: { op: 'emailPresent' }, right: this.emailCompare(attribute.sub ?? 'value') };
    return { op: 'eq', attribute: attribute.name, value: this.stringOperand() };
  }

  private emailCompare(sub: 'value' | 'type' | 'primary'): ScimUserFilter {
    if (sub === 'primary') return { op: 'constant', value: this.booleanOperand('primary') === EMAIL_PRIMARY };
    const value = this.stringOperand();
    if (sub === 'type') return { op: 'constant', value: value.toLowerCase() === EMAIL_TYPE };
    return { op: 'eq', attribute: 'email', value };
  }
}

const CORE_PREFIX = `${SCIM_USER_SCHEMA.toLowerCase()}:`;

function userAttribute(path: string): Attribute {
  let lower = path.toLowerCase();
  if (lower.startsWith(CORE_PREFIX)) lower = lower.slice(CORE_PREFIX.length);
  else if (lower.startsWith(`${SCIM_ENTERPRISE_USER_SCHEMA.toLowerCase()}:`) || lower.startsWith('urn:')) {
    throw ScimError.invalidFilter(`Filtering on that attribute is not supported. ${SUPPORTED_FILTERS}`);
  }
  if (lower === 'id') return { name: 'id' };
  if (lower === 'username') return { name: 'userName' };
  if (lower === 'externalid') return { name: 'externalId' };
  if (lower === 'emails') return { name: 'emails' };
  if (lower.startsWith('emails.')) return { name: 'emails', sub: emailSub(lower.slice('emails.'.length)) };
  throw ScimError.invalidFilter(`Filtering on that attribute is not supported. ${SUPPORTED_FILTERS}`);
}

function emailSub(name: string): 'value' | 'type' | 'primary' {
  const lower = name.toLowerCase();
  if (lower === 'value' || lower === 'type' || lower === 'primary') return lower;
  throw ScimError.invalidFilter(`Filtering on that email sub-attribute is not supported. ${SUPPORTED_FILTERS}`);
}
