export type EnvVarKind = 'string' | 'int' | 'url' | 'enum' | 'boolean' | 'list';

/** Thrown by a parser; the message states the rule and must never contain the raw value. */
export class EnvRuleViolation extends Error {}

interface EnvVarDefinition<T> {
  readonly kind: EnvVarKind;
  readonly rule: string;
  readonly parse: (raw: string) => T;
  readonly required: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue?: T;
  readonly secret: boolean;
  readonly description?: string;
}

/**
 * One environment variable: how to parse it and what the rule is in words. Immutable; the modifiers return
 * a new variable so a shared spec (the common variables) can be refined per service without side effects.
 */
export class EnvVar<T> {
  private constructor(private readonly definition: EnvVarDefinition<T>) {}

  static create<T>(kind: EnvVarKind, rule: string, parse: (raw: string) => T): EnvVar<T> {
    return new EnvVar<T>({ kind, rule, parse, required: true, hasDefault: false, secret: false });
  }

  get kind(): EnvVarKind {
    return this.definition.kind;
  }
  get rule(): string {
    return this.definition.rule;
  }
  get required(): boolean {
    return this.definition.required;
  }
  get hasDefault(): boolean {
    return this.definition.hasDefault;
  }
  get defaultValue(): T | undefined {
    return this.definition.defaultValue;
  }
  get isSecret(): boolean {
    return this.definition.secret;
  }
  get description(): string | undefined {
    return this.definition.description;
  }

  parse(raw: string): T {
    return this.definition.parse(raw);
  }

  optional(): EnvVar<T | undefined> {
    return new EnvVar<T | undefined>({ ...this.definition, required: false });
  }

  default(value: NonNullable<T>): EnvVar<NonNullable<T>> {
    return new EnvVar<NonNullable<T>>({
      ...(this.definition as unknown as EnvVarDefinition<NonNullable<T>>),
      required: false,
      hasDefault: true,
      defaultValue: value,
    });
  }

  secret(): EnvVar<T> {
    return new EnvVar<T>({ ...this.definition, secret: true });
  }

  describe(description: string): EnvVar<T> {
    return new EnvVar<T>({ ...this.definition, description });
  }

  /** The default as it would be written in an env file, for docs and `.env.example` checks. */
  defaultAsString(): string | undefined {
    const value = this.definition.defaultValue;
    if (!this.definition.hasDefault || value === undefined) return undefined;
    return Array.isArray(value) ? value.join(',') : String(value);
  }
}

export type RawEnv = Readonly<Record<string, string | undefined>>;

/**
 * A rule across several variables (e.g. "set exactly one of AUTH_JWKS_URL, AUTH_PUBLIC_KEY"). It throws an
 * Error whose message names the variables and must not contain their values.
 */
export type EnvCheck = (source: RawEnv) => void;

/** Key under which a spec carries its cross-variable checks; a symbol, so spreading specs keeps them. */
export const ENV_CHECKS: unique symbol = Symbol('ENV_CHECKS');

export type EnvSpec = { readonly [name: string]: EnvVar<unknown> } & { readonly [ENV_CHECKS]?: readonly EnvCheck[] };

export type EnvOf<S extends EnvSpec> = {
  readonly [K in keyof S as K extends string ? K : never]: S[K] extends EnvVar<infer T> ? T : never;
};

function fail(rule: string): never {
  throw new EnvRuleViolation(rule);
}

const INTEGER = /^-?\d+$/;

function parseInt10(raw: string, rule: string, min: number, max: number): number {
  if (!INTEGER.test(raw.trim())) fail(rule);
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < min || value > max) fail(rule);
  return value;
}

export interface IntOptions {
  min?: number;
  max?: number;
}

export interface UrlOptions {
  /** Allowed schemes without the colon, e.g. ['postgres', 'postgresql']. Any scheme when omitted. */
  protocols?: readonly string[];
}

export interface ListOptions {
  separator?: string;
  minItems?: number;
  /** Validates each item; return false to reject. */
  item?: { rule: string; test: (item: string) => boolean };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export const env = {
  string(options: { minLength?: number; pattern?: RegExp } = {}): EnvVar<string> {
    const minLength = options.minLength ?? 1;
    const rule = options.pattern
      ? `must match ${options.pattern}`
      : minLength > 1
        ? `must be a string of at least ${minLength} characters`
        : 'must be a non-empty string';
    return EnvVar.create('string', rule, (raw) => {
      if (raw.length < minLength) fail(rule);
      if (options.pattern && !options.pattern.test(raw)) fail(rule);
      return raw;
    });
  },

  int(options: IntOptions = {}): EnvVar<number> {
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    const rule =
      options.min !== undefined && options.max !== undefined
        ? `must be an integer between ${min} and ${max}`
        : options.min !== undefined
          ? `must be an integer >= ${min}`
          : options.max !== undefined
            ? `must be an integer <= ${max}`
            : 'must be an integer';
    return EnvVar.create('int', rule, (raw) => parseInt10(raw, rule, min, max));
  },

  port(): EnvVar<number> {
    return env.int({ min: 1, max: 65535 });
  },

  url(options: UrlOptions = {}): EnvVar<string> {
    const protocols = options.protocols;
    const rule = protocols?.length ? `must be a URL with scheme ${protocols.map((p) => `${p}://`).join(' or ')}` : 'must be an absolute URL';
    return EnvVar.create('url', rule, (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return fail(rule);
      }
      if (protocols?.length && !protocols.includes(url.protocol.replace(/:$/, ''))) fail(rule);
      return raw;
    });
  },

  enumOf<const V extends string>(values: readonly V[]): EnvVar<V> {
    const rule = `must be one of ${values.join(', ')}`;
    return EnvVar.create('enum', rule, (raw) => {
      if (!(values as readonly string[]).includes(raw)) fail(rule);
      return raw as V;
    });
  },

  boolean(): EnvVar<boolean> {
    const rule = 'must be a boolean (true/false, 1/0, yes/no, on/off)';
    return EnvVar.create('boolean', rule, (raw) => {
      const value = raw.trim().toLowerCase();
      if (TRUE.has(value)) return true;
      if (FALSE.has(value)) return false;
      return fail(rule);
    });
  },

  list(options: ListOptions = {}): EnvVar<readonly string[]> {
    const separator = options.separator ?? ',';
    const minItems = options.minItems ?? 1;
    const rule =
      `must be a '${separator}'-separated list of at least ${minItems} item${minItems === 1 ? '' : 's'}` + (options.item ? `, each ${options.item.rule}` : '');
    return EnvVar.create('list', rule, (raw) => {
      const items = raw
        .split(separator)
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
      if (items.length < minItems) fail(rule);
      const item = options.item;
      if (item && !items.every((value) => item.test(value))) fail(rule);
      return Object.freeze(items);
    });
  },
};

const HOST_PORT = /^[A-Za-z0-9.\-_[\]:]+:(\d{1,5})$/;

/** Item rule for broker lists such as `kafka-1:9092,kafka-2:9092`. */
export const hostAndPort = {
  rule: 'host:port',
  test: (item: string): boolean => {
    const match = HOST_PORT.exec(item);
    return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= 65535;
  },
};
