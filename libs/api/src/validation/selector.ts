/**
 * Label selector matching and Go-style printing, just what validation
 * needs (does the selector match the template's labels?).
 *
 * NOTE: local to libs/api; @logbook/machinery owns label selectors and this
 * should be replaced by its implementation once it is public.
 */
import type { LabelSelector } from '../meta/v1/types';
import { goQuote, printed, Printed } from './field-error';

type Labels = Record<string, string> | undefined | null;

/** Whether a metav1.LabelSelector selects these labels (an empty selector matches everything). */
export function labelSelectorMatches(selector: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(l[req.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[req.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether a map selector (ReplicationController, Service) selects these labels. */
export function mapSelectorMatches(selector: Labels, labels: Labels): boolean {
  const l = labels ?? {};
  return Object.entries(selector ?? {}).every(([k, v]) => l[k] === v);
}

/** Whether metav1.LabelSelectorAsSelector would accept it (operators and values consistent). */
export function isValidLabelSelector(selector: LabelSelector | undefined | null): boolean {
  if (!selector) return true;
  return (selector.matchExpressions ?? []).every((e) => {
    const n = (e?.values ?? []).length;
    if (e?.operator === 'In' || e?.operator === 'NotIn') return n > 0;
    if (e?.operator === 'Exists' || e?.operator === 'DoesNotExist') return n === 0;
    return false;
  });
}

export function isEmptyLabelSelector(selector: LabelSelector | undefined | null): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

const goStringMap = (m: Labels, type = 'map[string]string'): string => {
  if (!m) return `${type}(nil)`;
  const body = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(m[k])}`)
    .join(', ');
  return `${type}{${body}}`;
};

const goStrings = (list: string[] | undefined): string => (list ? `[]string{${list.map(goQuote).join(', ')}}` : '[]string(nil)');

/** `v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}` */
export function goLabelSelector(selector: LabelSelector | undefined | null): Printed {
  if (!selector) return printed('(*v1.LabelSelector)(nil)', null);
  const exprs = selector.matchExpressions;
  const exprText = exprs
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(e.key ?? '')}, Operator:${goQuote(e.operator ?? '')}, Values:${goStrings(e.values)}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return printed(`v1.LabelSelector{MatchLabels:${goStringMap(selector.matchLabels)}, MatchExpressions:${exprText}}`, selector);
}
