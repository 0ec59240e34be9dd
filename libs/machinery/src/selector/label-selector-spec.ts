import { goQuote } from '../json';
import { FieldError, forbidden, invalid, required } from '../validation/field-errors';
import { FieldPath } from '../validation/field-path';
import { isLabelValue, isQualifiedName } from '../validation/names';
import { LabelOperator, LabelRequirement, LabelSelectorError, newLabelRequirement } from './label-requirement';
import { LabelSelector } from './label-selector';

/** The JSON shape of `metav1.LabelSelectorRequirement`. */
export interface LabelSelectorRequirementSpec {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

/** The JSON shape of `metav1.LabelSelector` (e.g. a Deployment's `spec.selector`). */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementSpec[];
}

const OPERATOR_OF: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * Turns a `metav1.LabelSelector` into a matcher, as `LabelSelectorAsSelector`
 * does:
 *
 * - `null`/`undefined` selects **nothing** (a missing selector must not
 *   adopt every pod in the namespace);
 * - `{}` (no matchLabels, no matchExpressions) selects **everything**;
 * - otherwise the AND of `key=value` for each matchLabels entry and of each
 *   expression (`In`, `NotIn`, `Exists`, `DoesNotExist`).
 *
 * Throws `LabelSelectorError` for an unknown operator or a requirement that
 * `newLabelRequirement` rejects (e.g. `In` without values).
 */
export function labelSelectorFromSpec(spec: LabelSelectorSpec | null | undefined): LabelSelector {
  if (spec === null || spec === undefined) return LabelSelector.nothing();
  const matchLabels = spec.matchLabels ?? {};
  const expressions = spec.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + expressions.length === 0) return LabelSelector.everything();
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(matchLabels)) requirements.push(newLabelRequirement(key, '=', [value]));
  for (const expr of expressions) {
    const op = OPERATOR_OF[expr.operator];
    if (!op) throw new LabelSelectorError(`${goQuote(String(expr.operator))} is not a valid label selector operator`);
    const values = expr.values && expr.values.length > 0 ? expr.values : null;
    requirements.push(newLabelRequirement(expr.key, op, values));
  }
  return LabelSelector.of(requirements);
}

/**
 * `metav1.FormatLabelSelector`: the selector's string, `<none>` when empty or
 * missing, `<error>` when invalid. This is what `kubectl describe` prints.
 */
export function formatLabelSelectorSpec(spec: LabelSelectorSpec | null | undefined): string {
  try {
    return labelSelectorFromSpec(spec).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

/**
 * Validates a `metav1.LabelSelector` field as `ValidateLabelSelector` does:
 * `In`/`NotIn` require values, `Exists`/`DoesNotExist` forbid them, unknown
 * operators, keys and values are invalid.
 */
export function validateLabelSelectorSpec(spec: LabelSelectorSpec | null | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec) return errs;
  const labelsPath = path.child('matchLabels');
  for (const [key, value] of Object.entries(spec.matchLabels ?? {})) {
    for (const msg of isQualifiedName(key)) errs.push(invalid(labelsPath, key, msg));
    for (const msg of isLabelValue(value)) errs.push(invalid(labelsPath, value, msg));
  }
  (spec.matchExpressions ?? []).forEach((expr, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.push(forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        break;
      default:
        errs.push(invalid(p.child('operator'), expr.operator, 'not a valid selector operator'));
    }
    for (const msg of isQualifiedName(expr.key)) errs.push(invalid(p.child('key'), expr.key, msg));
    values.forEach((v, j) => {
      for (const msg of isLabelValue(v)) errs.push(invalid(p.child('values').index(j), v, msg));
    });
  });
  return errs;
}
