// Postgres, where every service keeps what it receives, stores neither: `text` refuses NUL, `jsonb` refuses NUL
// and unpaired UTF-16 surrogates. Input carrying one can never be applied; it is refused where it comes in.
const NUL = String.fromCharCode(0);
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const SHOWN_AS_REPLACEMENT = new RegExp(`[${NUL}\ud800-\udfff]`, 'g');

export const UNSTORABLE_TEXT_DETAIL = 'contains a NUL character or an unpaired surrogate, which cannot be stored';

export function isStorableText(text: string): boolean {
  return !text.includes(NUL) && !UNPAIRED_SURROGATE.test(text);
}

interface Visit {
  value: unknown;
  name: string;
  parent?: Visit;
}

/**
 * JSON Pointer of the first string (a value or a member name) in a parsed JSON value that Postgres cannot store,
 * or undefined. Iterative, so that any nesting depth a hostile body has is walked without exhausting the stack.
 */
export function findUnstorableText(value: unknown): string | undefined {
  const stack: Visit[] = [{ value, name: '' }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const v = visit.value;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return pointerOf(visit);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], name: String(i), parent: visit });
      continue;
    }
    const members = Object.entries(v);
    for (let i = members.length - 1; i >= 0; i--) {
      const [name, value] = members[i] as [string, unknown];
      const member: Visit = { value, name, parent: visit };
      if (!isStorableText(member.name)) return pointerOf(member);
      stack.push(member);
    }
  }
  return undefined;
}

/** The pointer to a visit (its last 16 segments at most, each shown safely and at most 64 characters). */
function pointerOf(visit: Visit): string {
  const segments: string[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) segments.push(at.name);
  const shown = segments
    .slice(0, 16)
    .reverse()
    .map((s) => s.slice(0, 64).replace(SHOWN_AS_REPLACEMENT, '\ufffd').replace(/~/g, '~0').replace(/\//g, '~1'));
  return `${segments.length > 16 ? '/…' : ''}/${shown.join('/')}`.replace(/^\/$/, '') || '(root)';
}
