import { fieldErrorToString } from '../validation/field-errors';
import { scanLabelSelector, ScannedItem, Token } from './label-lexer';
import {
  LabelOperator,
  LabelRequirement,
  Labels,
  LabelSelectorError,
  labelKeyError,
  newLabelRequirement,
  requirementMatches,
  requirementToString,
} from './label-requirement';

/**
 * A compiled label selector: an AND of requirements.
 *
 * - The empty selector (no requirements, e.g. `parseLabelSelector('')`)
 *   matches every object.
 * - `LabelSelector.nothing()` matches no object; it is what a missing
 *   (`null`) `metav1.LabelSelector` turns into.
 */
export class LabelSelector {
  private constructor(
    readonly requirements: readonly LabelRequirement[],
    /** True only for the selector that selects nothing. */
    readonly selectsNothing: boolean,
  ) {}

  private static readonly EVERYTHING = new LabelSelector([], false);
  private static readonly NOTHING = new LabelSelector([], true);

  static everything(): LabelSelector {
    return LabelSelector.EVERYTHING;
  }

  static nothing(): LabelSelector {
    return LabelSelector.NOTHING;
  }

  /** A selector of the given requirements, sorted by key as Kubernetes keeps them. */
  static of(requirements: readonly LabelRequirement[]): LabelSelector {
    return new LabelSelector(sortByKey(requirements), false);
  }

  /** `key=value` for every entry of a label map (`SelectorFromSet`); not validated. */
  static fromSet(set: Labels): LabelSelector {
    const reqs = Object.entries(set ?? {}).map(([key, value]) => ({ key, operator: '=' as LabelOperator, values: [value] }));
    return LabelSelector.of(reqs);
  }

  matches(labels: Labels): boolean {
    if (this.selectsNothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  /** True when the selector does not restrict anything. */
  isEmpty(): boolean {
    return !this.selectsNothing && this.requirements.length === 0;
  }

  /** A selector with more requirements (AND). */
  add(...requirements: LabelRequirement[]): LabelSelector {
    if (this.selectsNothing) return this;
    return LabelSelector.of([...this.requirements, ...requirements]);
  }

  /**
   * The value a requirement forces for `key` (`=`, `==`, or `in` with one
   * value), if any. Useful to narrow a list to an index lookup.
   */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  /** The canonical string form, e.g. `app=web,tier in (a,b),!legacy`; `''` for everything and nothing. */
  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

function sortByKey(requirements: readonly LabelRequirement[]): LabelRequirement[] {
  return [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The string form of a selector (`selector.String()`). */
export function selectorToString(selector: LabelSelector): string {
  return selector.toString();
}

/**
 * Parses the label selector syntax exactly as `labels.Parse` does:
 *
 * ```
 * selector    ::= requirement | requirement "," selector
 * requirement ::= ["!"] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 * ```
 *
 * Whitespace (space, tab, CR, LF) separates tokens and is otherwise ignored;
 * `in`/`notin` are keywords only where an operator is expected. An empty
 * string is the selector of everything. Errors throw a `LabelSelectorError`
 * whose message is Kubernetes' (`unable to parse requirement: ...`,
 * `found 'x', expected: ...`).
 */
export function parseLabelSelector(selector: string): LabelSelector {
  return LabelSelector.of(parseLabelRequirements(selector));
}

/** The requirements of a selector string, in the order written. */
export function parseLabelRequirements(selector: string): LabelRequirement[] {
  return new Parser(scanLabelSelector(selector)).parse();
}

type Context = 'keyAndOperator' | 'values';

class Parser {
  private position = 0;

  constructor(private readonly items: ScannedItem[]) {}

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { token, literal } = this.lookahead('values');
      switch (token) {
        case Token.Identifier:
        case Token.DoesNotExist: {
          let requirement: LabelRequirement;
          try {
            requirement = this.parseRequirement();
          } catch (e) {
            const err = e as LabelSelectorError;
            throw new LabelSelectorError(`unable to parse requirement: ${err.message}`, err.causes ?? []);
          }
          requirements.push(requirement);
          const next = this.consume('values');
          if (next.token === Token.EndOfString) return requirements;
          if (next.token === Token.Comma) {
            const after = this.lookahead('values');
            if (after.token !== Token.Identifier && after.token !== Token.DoesNotExist) {
              throw new LabelSelectorError(`found '${after.literal}', expected: identifier after ','`);
            }
            break;
          }
          throw new LabelSelectorError(`found '${next.literal}', expected: ',' or 'end of string'`);
        }
        case Token.EndOfString:
          return requirements;
        default:
          throw new LabelSelectorError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private lookahead(context: Context): ScannedItem {
    return this.retag(this.items[this.position], context);
  }

  private consume(context: Context): ScannedItem {
    return this.retag(this.items[this.position++], context);
  }

  // Where values are expected, `in` and `notin` are plain identifiers.
  private retag(item: ScannedItem, context: Context): ScannedItem {
    if (context === 'values' && (item.token === Token.In || item.token === Token.NotIn)) {
      return { token: Token.Identifier, literal: item.literal };
    }
    return item;
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return newLabelRequirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newLabelRequirement(key, op, [...values].sort());
  }

  private parseKeyAndInferOperator(): { key: string; operator?: LabelOperator } {
    let operator: LabelOperator | undefined;
    let item = this.consume('values');
    if (item.token === Token.DoesNotExist) {
      operator = '!';
      item = this.consume('values');
    }
    if (item.token !== Token.Identifier) throw new LabelSelectorError(`found '${item.literal}', expected: identifier`);
    const keyError = labelKeyError(item.literal, undefined);
    if (keyError) throw new LabelSelectorError(fieldErrorToString(keyError), [keyError]);
    const next = this.lookahead('values').token;
    if ((next === Token.EndOfString || next === Token.Comma) && operator !== '!') operator = 'exists';
    return { key: item.literal, operator };
  }

  private parseOperator(): LabelOperator {
    const { token, literal } = this.consume('keyAndOperator');
    switch (token) {
      case Token.In:
        return 'in';
      case Token.Equals:
        return '=';
      case Token.DoubleEquals:
        return '==';
      case Token.GreaterThan:
        return 'gt';
      case Token.LessThan:
        return 'lt';
      case Token.NotIn:
        return 'notin';
      case Token.NotEquals:
        return '!=';
      default:
        throw new LabelSelectorError(`found '${literal}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume('values');
    if (open.token !== Token.OpenPar) throw new LabelSelectorError(`found '${open.literal}' expected: '('`);
    const { token, literal } = this.lookahead('values');
    switch (token) {
      case Token.Identifier:
      case Token.Comma: {
        const values = this.parseIdentifiersList();
        if (this.consume('values').token !== Token.ClosedPar) {
          throw new LabelSelectorError(`found '${literal}', expected: ')'`);
        }
        return values;
      }
      case Token.ClosedPar:
        this.consume('values');
        return new Set(['']);
      default:
        throw new LabelSelectorError(`found '${literal}', expected: ',', ')' or identifier`);
    }
  }

  // A possibly empty, comma separated list of possibly empty values: `(a,,b)`
  // holds "a", "" and "b".
  private parseIdentifiersList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const { token, literal } = this.consume('values');
      if (token === Token.Identifier) {
        values.add(literal);
        const next = this.lookahead('values');
        if (next.token === Token.Comma) continue;
        if (next.token === Token.ClosedPar) return values;
        throw new LabelSelectorError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (token === Token.Comma) {
        if (values.size === 0) values.add('');
        const next = this.lookahead('values').token;
        if (next === Token.ClosedPar) {
          values.add('');
          return values;
        }
        if (next === Token.Comma) values.add('');
        continue;
      }
      throw new LabelSelectorError(`found '${literal}', expected: ',', or identifier`);
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead('values').token;
    if (next === Token.EndOfString || next === Token.Comma) return new Set(['']);
    const { token, literal } = this.consume('values');
    if (token === Token.Identifier) return new Set([literal]);
    throw new LabelSelectorError(`found '${literal}', expected: identifier`);
  }
}
