import { FieldPath } from '../validation/field-path';
import { fieldErrorToString } from '../validation/field-errors';
import { formatLabelSelectorSpec, labelSelectorFromSpec, validateLabelSelectorSpec } from './label-selector-spec';

describe('labelSelectorFromSpec', () => {
  it('a missing selector selects nothing', () => {
    expect(labelSelectorFromSpec(null).matches({})).toBe(false);
    expect(labelSelectorFromSpec(undefined).matches({ app: 'web' })).toBe(false);
  });

  it('an empty selector selects everything', () => {
    expect(labelSelectorFromSpec({}).matches({})).toBe(true);
    expect(labelSelectorFromSpec({ matchLabels: {}, matchExpressions: [] }).matches({ a: 'b' })).toBe(true);
  });

  it('ANDs matchLabels and matchExpressions', () => {
    const sel = labelSelectorFromSpec({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(sel.toString()).toBe('app=web,env notin (dev),!legacy,team,tier in (edge,front)');
    expect(sel.matches({ app: 'web', tier: 'edge', team: 'a' })).toBe(true);
    expect(sel.matches({ app: 'web', tier: 'edge', team: 'a', env: 'dev' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'edge', team: 'a', legacy: 'y' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'edge' })).toBe(false);
    expect(sel.matches({ app: 'db', tier: 'edge', team: 'a' })).toBe(false);
  });

  it('rejects In without values, Exists with values and unknown operators like Kubernetes', () => {
    expect(() => labelSelectorFromSpec({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(() => labelSelectorFromSpec({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toThrow(
      'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
    );
    expect(() => labelSelectorFromSpec({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toThrow(
      '"Gt" is not a valid label selector operator',
    );
  });

  it('formats like metav1.FormatLabelSelector', () => {
    expect(formatLabelSelectorSpec({ matchLabels: { app: 'web' } })).toBe('app=web');
    expect(formatLabelSelectorSpec({})).toBe('<none>');
    expect(formatLabelSelectorSpec(null)).toBe('<none>');
    expect(formatLabelSelectorSpec({ matchExpressions: [{ key: 'a', operator: 'Bad' }] })).toBe('<error>');
  });
});

describe('validateLabelSelectorSpec', () => {
  const path = FieldPath.root('spec', 'selector');

  it('accepts a valid selector', () => {
    expect(validateLabelSelectorSpec({ matchLabels: { app: 'web' } }, path)).toEqual([]);
    expect(validateLabelSelectorSpec(undefined, path)).toEqual([]);
  });

  it('words its causes as ValidateLabelSelector does', () => {
    const errs = validateLabelSelectorSpec(
      {
        matchLabels: { app: '-bad' },
        matchExpressions: [
          { key: 'a', operator: 'In' },
          { key: 'b', operator: 'DoesNotExist', values: ['x'] },
          { key: 'c', operator: 'Like', values: [] },
        ],
      },
      path,
    ).map(fieldErrorToString);
    expect(errs[0]).toMatch(/^spec\.selector\.matchLabels: Invalid value: "-bad": a valid label must be/);
    expect(errs.slice(1)).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Like": not a valid selector operator',
    ]);
  });
});
