import { isStorableText, UNSTORABLE_TEXT_DETAIL } from '@agentgov/contracts';

import { ScimError } from './scim.errors';

/**
 * The grammar every SCIM resource's `filter` shares (RFC 7644 §3.4.2.2): quoted JSON strings, literals,
 * attribute paths, `or` below `and` below `not (...)` and parentheses, valuePaths `attr[...]`, and only the `eq`
 * operator (what identity providers send to find a resource before they create it). Each resource type says what
 * its comparisons are (ScimFilterParser.comparison); nothing here knows a resource.
 */
export type ScimFilterNode<Leaf> =
  { op: 'and' | 'or'; left: ScimFilterNode<Leaf>; right: ScimFilterNode<Leaf> } | { op: 'not'; filter: ScimFilterNode<Leaf> } | Leaf;

export const MAX_FILTER_LENGTH = 2000;
const MAX_COMPARISONS = 50;
const MAX_DEPTH = 20;

export type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'literal'; value: boolean | null | number }
  | { kind: '(' | ')' | '[' | ']' }
  | { kind: 'sub'; text: string };

const OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'pr']);

/**
 * Parses a filter with the parser a resource type makes; anything outside what it supports is a 400
 * invalidFilter that does not repeat the filter.
 */
export function parseFilterWith<Leaf>(filter: unknown, parserFor: (tokens: Token[]) => ScimFilterParser<Leaf>): ScimFilterNode<Leaf> | undefined {
  if (filter === undefined || filter === '') return undefined;
  if (typeof filter !== 'string') throw ScimError.invalidFilter('filter must be given once');
  if (filter.length > MAX_FILTER_LENGTH) throw ScimError.invalidFilter(`The filter is longer than ${MAX_FILTER_LENGTH} characters`);
  return parserFor(tokenize(filter)).parse();
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c });
      i += 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw ScimError.invalidFilter('A string in the filter is not closed');
      let value: unknown;
      try {
        value = JSON.parse(text.slice(i, j + 1));
      } catch {
        throw ScimError.invalidFilter('A string in the filter is not a valid JSON string');
      }
      // Its escapes are decoded here, after the global check of the raw query.
      if (typeof value !== 'string' || !isStorableText(value)) throw ScimError.invalidFilter(`A filter value ${UNSTORABLE_TEXT_DETAIL}`);
      tokens.push({ kind: 'string', value });
      i = j + 1;
    } else if (c === '.' && tokens[tokens.length - 1]?.kind === ']') {
      const match = /^\.([A-Za-z][\w$-]*)/.exec(text.slice(i));
      if (!match) throw ScimError.invalidFilter('A sub-attribute after "]" is not valid');
      tokens.push({ kind: 'sub', text: match[1] });
      i += match[0].length;
    } else {
      // An attribute path (possibly schema-qualified: urn:...:2.0:User:userName), a keyword, or a literal.
      const match = /^[A-Za-z0-9$_:.+-]+/.exec(text.slice(i));
      if (!match) throw ScimError.invalidFilter(`The filter has an unexpected character at position ${i + 1}`);
      const word = match[0];
      const lower = word.toLowerCase();
      if (lower === 'true' || lower === 'false') tokens.push({ kind: 'literal', value: lower === 'true' });
      else if (lower === 'null') tokens.push({ kind: 'literal', value: null });
      else if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(word)) tokens.push({ kind: 'literal', value: Number(word) });
      else if (/^[A-Za-z]/.test(word)) tokens.push({ kind: 'word', text: word });
      else throw ScimError.invalidFilter(`The filter has an unexpected value at position ${i + 1}`);
      i += word.length;
    }
  }
  return tokens;
}

/**
 * A recursive-descent parser of the shared grammar. A resource type's parser implements `comparison` (an
 * attribute path and what follows it) and uses `expression` again inside a valuePath's brackets, with a leaf of
 * its own for the sub-attributes of that multi-valued attribute.
 */
export abstract class ScimFilterParser<Leaf> {
  private position = 0;
  private comparisons = 0;

  /** What the resource type's filters support, appended to the refusals of the rest. */
  protected abstract readonly supported: string;

  constructor(private readonly tokens: Token[]) {}

  /** The whole filter, which must be all of the text. */
  parse(): ScimFilterNode<Leaf> {
    const parsed = this.expression(0, (depth) => this.comparison(depth));
    if (this.position < this.tokens.length) throw ScimError.invalidFilter(`The filter has unexpected text after term ${this.position}`);
    return parsed;
  }

  /** One attribute comparison of the resource type (the next token is its attribute path). */
  protected abstract comparison(depth: number): ScimFilterNode<Leaf>;

  /** `or` of `and` of `not (...)`, parentheses and leaves: the whole filter, or the one inside a valuePath. */
  protected expression(depth: number, leaf: (depth: number) => ScimFilterNode<Leaf>): ScimFilterNode<Leaf> {
    if (depth > MAX_DEPTH) throw ScimError.invalidFilter(`The filter nests deeper than ${MAX_DEPTH} levels`);
    let left = this.conjunction(depth, leaf);
    while (this.keyword('or')) left = { op: 'or', left, right: this.conjunction(depth, leaf) };
    return left;
  }

  private conjunction(depth: number, leaf: (depth: number) => ScimFilterNode<Leaf>): ScimFilterNode<Leaf> {
    let left = this.unary(depth, leaf);
    while (this.keyword('and')) left = { op: 'and', left, right: this.unary(depth, leaf) };
    return left;
  }

  private unary(depth: number, leaf: (depth: number) => ScimFilterNode<Leaf>): ScimFilterNode<Leaf> {
    if (this.keyword('not')) {
      this.expect('(');
      const filter = this.expression(depth + 1, leaf);
      this.expect(')');
      return { op: 'not', filter };
    }
    if (this.peek()?.kind === '(') {
      this.position += 1;
      const filter = this.expression(depth + 1, leaf);
      this.expect(')');
      return filter;
    }
    return leaf(depth);
  }

  /** `eq` and a quoted string. */
  protected stringOperand(): string {
    this.operator();
    const value = this.next();
    if (value?.kind !== 'string') throw ScimError.invalidFilter('This attribute is compared with a quoted string');
    return value.value;
  }

  /** `eq` and true or false. */
  protected booleanOperand(attribute: string): boolean {
    this.operator();
    const value = this.next();
    if (value?.kind !== 'literal' || typeof value.value !== 'boolean') throw ScimError.invalidFilter(`${attribute} is compared with true or false`);
    return value.value;
  }

  /** Only eq: what the identity providers send to find a resource before they create one. */
  private operator(): void {
    const token = this.next();
    const operator = token?.kind === 'word' ? token.text.toLowerCase() : undefined;
    if (operator === 'eq') {
      if (++this.comparisons > MAX_COMPARISONS) throw ScimError.invalidFilter(`The filter has more than ${MAX_COMPARISONS} comparisons`);
      return;
    }
    if (operator && OPERATORS.has(operator)) throw ScimError.invalidFilter(`The operator ${operator} is not supported. ${this.supported}`);
    throw ScimError.invalidFilter(`The filter is missing a comparison operator. ${this.supported}`);
  }

  /** The next token as an attribute path (or sub-attribute name); `missing` says what was expected. */
  protected attributePath(missing: string): string {
    const token = this.next();
    if (token?.kind !== 'word') throw ScimError.invalidFilter(missing);
    return token.text;
  }

  /** `[`, when the next token opens a valuePath (and consumes it). */
  protected opensValuePath(): boolean {
    if (this.peek()?.kind !== '[') return false;
    this.position += 1;
    return true;
  }

  /** The `.subAttr` after a valuePath's `]` (Entra ID's emails[type eq "work"].value), consumed, if there is one. */
  protected subAttributeAfterValuePath(): string | undefined {
    const token = this.peek();
    if (token?.kind !== 'sub') return undefined;
    this.position += 1;
    return token.text;
  }

  protected keyword(word: string): boolean {
    const token = this.peek();
    if (token?.kind === 'word' && token.text.toLowerCase() === word) {
      this.position += 1;
      return true;
    }
    return false;
  }

  protected expect(kind: '(' | ')' | ']'): void {
    if (this.next()?.kind !== kind) throw ScimError.invalidFilter(`The filter is missing "${kind}"`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(): Token | undefined {
    const token = this.tokens[this.position];
    if (token) this.position += 1;
    return token;
  }
}
