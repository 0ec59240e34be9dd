/**
 * Field selectors (`?fieldSelector=metadata.name=x,status.phase!=Running`),
 * parsed as `k8s.io/apimachinery/pkg/fields` parses them: terms separated by
 * unescaped commas, each `field=value`, `field==value` or `field!=value`;
 * in values, `\`, `,` and `=` are escaped with a backslash.
 */

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** The unescaped value. */
  readonly value: string;
}

/** A field selector that cannot be parsed, or names a field that cannot be selected. */
export class FieldSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorError';
  }
}

/** Escapes `\`, `,` and `=` in a value (`fields.EscapeValue`). */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Reverses `escapeFieldValue`; rejects unknown escapes and bare `,`/`=` (`fields.UnescapeValue`). */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its code point.
      throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

const TERM_OPERATORS: readonly FieldOperator[] = ['!=', '==', '='];

function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/**
 * A compiled field selector: the AND of its requirements. The empty selector
 * matches everything.
 */
export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  /** `field=value` for each entry (`fields.SelectorFromSet`). */
  static fromSet(set: Record<string, string>): FieldSelector {
    return new FieldSelector(Object.entries(set).map(([field, value]) => ({ field, operator: '=' as const, value })));
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** The fields this selector reads. */
  fields(): string[] {
    return [...new Set(this.requirements.map((r) => r.field))];
  }

  /**
   * Whether the selector holds for an object's selectable fields. A field the
   * set lacks reads as `""`, as in Kubernetes (`spec.nodeName=` selects
   * unscheduled pods).
   */
  matchesFields(fields: Readonly<Record<string, string | undefined>>): boolean {
    return this.requirements.every((r) => {
      const actual = fields[r.field] ?? '';
      return r.operator === '!=' ? actual !== r.value : actual === r.value;
    });
  }

  /** The value an `=`/`==` requirement forces on `field`, if any. */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator !== '!=')?.value;
  }

  /** The canonical form (`a=b,c!=d`), values escaped; `==` is written `=`. */
  toString(): string {
    return this.requirements
      .map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`)
      .join(',');
  }
}

/**
 * Parses a field selector (`fields.ParseSelector`). Terms are sorted as
 * Kubernetes sorts them; empty terms are skipped. Throws `FieldSelectorError`
 * with Kubernetes' message (`invalid selector: 'x'; can't understand 'x'`).
 */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new FieldSelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, operator, rhs] = split;
    requirements.push({ field, operator, value: unescapeFieldValue(rhs) });
  }
  return new FieldSelector(requirements);
}
