import { FieldError, fieldErrorsToString, invalid, notSupported } from '../validation/field-errors';
import { FieldPath } from '../validation/field-path';
import { isLabelValue, isQualifiedName } from '../validation/names';

/**
 * One condition of a label selector. Operators are spelled as in
 * `k8s.io/apimachinery/pkg/selection`: `=`, `==`, `!=`, `in`, `notin`,
 * `exists`, `!` (does not exist), `gt`, `lt`.
 */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** As given; `in`/`notin` values from the parser are sorted and unique. */
  readonly values: readonly string[];
}

/** Labels of an object; `undefined` is an object without labels. */
export type Labels = Readonly<Record<string, string>> | undefined;

/** A selector that cannot be parsed or built. `message` is Kubernetes' wording. */
export class LabelSelectorError extends Error {
  constructor(
    message: string,
    /** The field errors behind the message, when it came from validation. */
    readonly causes: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

const OPERATORS: readonly LabelOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];
const INTEGER = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function parseInt64(s: string): bigint | undefined {
  if (!INTEGER.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** A label key check that yields one field error, as `validateLabelKey` does. */
export function labelKeyError(key: string, path: FieldPath | undefined): FieldError | undefined {
  const msgs = isQualifiedName(key);
  return msgs.length ? invalid(path, key, msgs.join('; ')) : undefined;
}

/**
 * Builds a requirement, checking it as `labels.NewRequirement` does: a valid
 * key; `in`/`notin` need values; `=`, `==`, `!=` exactly one; `exists` and `!`
 * none; `gt`/`lt` one integer; every value a valid label value.
 *
 * `values` may be `null` to stand for Go's nil slice, which renders as `null`
 * in the message (that is what `LabelSelectorAsSelector` passes).
 */
export function newLabelRequirement(
  key: string,
  operator: string,
  values: readonly string[] | null,
  path?: FieldPath,
): LabelRequirement {
  const errs: FieldError[] = [];
  const keyError = labelKeyError(key, path ? path.child('key') : FieldPath.root('key'));
  if (keyError) errs.push(keyError);
  const vals = values ?? [];
  const valuePath = path ? path.child('values') : FieldPath.root('values');
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) errs.push(invalid(valuePath, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) errs.push(invalid(valuePath, values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) errs.push(invalid(valuePath, values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) errs.push(invalid(valuePath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(invalid(valuePath.index(i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default:
      errs.push(notSupported(path ? path.child('operator') : FieldPath.root('operator'), operator, OPERATORS));
  }
  vals.forEach((v, i) => {
    const msgs = isLabelValue(v);
    if (msgs.length) errs.push(invalid(valuePath.index(i).key(key), v, msgs.join('; ')));
  });
  if (errs.length) throw new LabelSelectorError(fieldErrorsToString(errs), errs);
  return { key, operator: operator as LabelOperator, values: [...vals] };
}

/** Whether one requirement holds for a set of labels (`Requirement.Matches`). */
export function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(value!);
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** `key=value`, `key in (a,b)`, `!key`... (`Requirement.String`). */
export function requirementToString(r: LabelRequirement): string {
  let s = r.operator === '!' ? `!${r.key}` : r.key;
  switch (r.operator) {
    case 'exists':
    case '!':
      return s;
    case 'in':
      s += ' in ';
      break;
    case 'notin':
      s += ' notin ';
      break;
    case 'gt':
      s += '>';
      break;
    case 'lt':
      s += '<';
      break;
    default:
      s += r.operator;
  }
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${s}(${values})` : s + values;
}
