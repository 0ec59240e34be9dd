import { LabelSelector, parseLabelRequirements, parseLabelSelector, selectorToString } from './label-selector';
import { LabelSelectorError, newLabelRequirement } from './label-requirement';

function parseError(selector: string): string {
  try {
    parseLabelSelector(selector);
  } catch (e) {
    expect(e).toBeInstanceOf(LabelSelectorError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(selector)} to be rejected`);
}

describe('parseLabelSelector', () => {
  it.each([
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['', ''],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    ['x==a', 'x==a'],
    ['\rx', 'x'],
    ['a ', 'a'],
    ['foo  in\t (abc)', 'foo in (abc)'],
    ['x notin\n (abc)', 'x notin (abc)'],
    ['x in (abc,)', 'x in (,abc)'],
    ['x in (abc,abc)', 'x in (abc)'],
    ['x in ()', 'x in ()'],
    ['x in (a,,a,,a,,a,,)', 'x in (,a)'],
    ['x notin (, a)', 'x notin (,a)'],
    ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
    ['notin=in', 'notin=in'],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)'],
  ])('parses %j and prints it as %j', (input, printed) => {
    expect(parseLabelSelector(input).toString()).toBe(printed);
  });

  it('sorts requirements by key so that equal selectors print the same', () => {
    expect(parseLabelSelector('x=a,a=x').toString()).toBe(parseLabelSelector('a=x,x=a').toString());
    expect(parseLabelSelector('x notin (abc,,def),bar,z in (),w').toString()).toBe('bar,w,x notin (,abc,def),z in ()');
  });

  it('keeps the written order in parseLabelRequirements', () => {
    expect(parseLabelRequirements('z=1,a').map((r) => [r.key, r.operator, r.values])).toEqual([
      ['z', '=', ['1']],
      ['a', 'exists', []],
    ]);
  });

  it('treats in and notin as identifiers where a key or a value is expected', () => {
    const sel = parseLabelSelector('in in (notin)');
    expect(sel.requirements).toEqual([{ key: 'in', operator: 'in', values: ['notin'] }]);
    expect(sel.matches({ in: 'notin' })).toBe(true);
  });

  it.each([
    ['x=a||y=b', 'unable to parse requirement: values[0][x]: Invalid value: "a||y": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')'],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', 'unable to parse requirement: values[0]: Invalid value: "a": for \'Gt\', \'Lt\' operators, the value must be an integer'],
    ['x,,y', "found ',', expected: identifier after ','"],
    [',x,y', "found ',', expected: !, identifier, or 'end of string'"],
    ['x nott in (y)', "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in (xyz),', "found '', expected: identifier after ','"],
    ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"],
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['a in x', "unable to parse requirement: found 'x' expected: '('"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a in (x,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
  ])('rejects %j with Kubernetes\' message', (input, message) => {
    expect(parseError(input)).toBe(message);
  });

  it('reports an invalid key with the nil path Kubernetes prints', () => {
    expect(parseError('-a=b')).toBe(
      'unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')',
    );
  });
});

describe('LabelSelector.matches', () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['', { x: 'y' }, true],
    ['x=y', { x: 'y' }, true],
    ['x=y,z=w', { x: 'y', z: 'w' }, true],
    ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
    ['notin=in', { notin: 'in' }, true],
    ['x', { x: 'z' }, true],
    ['!x', { y: 'z' }, true],
    ['x>1', { x: '2' }, true],
    ['x<1', { x: '0' }, true],
    ['x=z', {}, false],
    ['x=y', { x: 'z' }, false],
    ['x=y,z=w', { x: 'w', z: 'w' }, false],
    ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
    ['x', { y: 'z' }, false],
    ['!x', { x: 'z' }, false],
    ['x>1', { x: '0' }, false],
    ['x<1', { x: '2' }, false],
    ['x>1', { x: 'v2' }, false],
    ['x>1', {}, false],
    ['x in (a,b)', { x: 'b' }, true],
    ['x in (a,b)', {}, false],
    ['x notin (a,b)', {}, true],
    ['x notin (a,b)', { x: 'a' }, false],
    ['x notin ()', { y: '' }, true],
    ['x in ()', { x: '' }, true],
    ['x!=a', {}, true],
  ];
  it.each(cases)('%j against %j is %s', (selector, labels, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });

  it('matches objects without labels only when nothing is required to exist', () => {
    expect(parseLabelSelector('!a').matches(undefined)).toBe(true);
    expect(parseLabelSelector('a').matches(undefined)).toBe(false);
  });

  it('compares gt/lt as 64-bit integers, not strings', () => {
    expect(parseLabelSelector('x>9').matches({ x: '10' })).toBe(true);
    expect(parseLabelSelector('x<3').matches({ x: '-4' })).toBe(true);
    expect(parseLabelSelector('x>3').matches({ x: '+4' })).toBe(true);
    expect(parseLabelSelector('x>1').matches({ x: '99999999999999999999' })).toBe(false);
  });
});

describe('LabelSelector', () => {
  it('the empty selector selects everything and is empty', () => {
    expect(LabelSelector.everything().isEmpty()).toBe(true);
    expect(LabelSelector.everything().matches({ a: 'b' })).toBe(true);
    expect(parseLabelSelector('').isEmpty()).toBe(true);
  });

  it('nothing() selects nothing, is not empty and prints as an empty string', () => {
    const nothing = LabelSelector.nothing();
    expect(nothing.matches({})).toBe(false);
    expect(nothing.matches({ a: 'b' })).toBe(false);
    expect(nothing.isEmpty()).toBe(false);
    expect(selectorToString(nothing)).toBe('');
    expect(nothing.add(newLabelRequirement('a', 'exists', [])).matches({ a: 'x' })).toBe(false);
  });

  it('fromSet builds key=value requirements sorted by key', () => {
    const sel = LabelSelector.fromSet({ foo: 'bar', baz: 'blah' });
    expect(sel.toString()).toBe('baz=blah,foo=bar');
    expect(sel.matches({ foo: 'bar', baz: 'blah', other: 'x' })).toBe(true);
    expect(sel.matches({ foo: 'bar' })).toBe(false);
    expect(LabelSelector.fromSet(undefined).isEmpty()).toBe(true);
  });

  it('add() ANDs requirements and keeps them sorted', () => {
    const sel = parseLabelSelector('b=1').add(newLabelRequirement('a', 'in', ['x', 'y']));
    expect(sel.toString()).toBe('a in (x,y),b=1');
    expect(sel.matches({ a: 'y', b: '1' })).toBe(true);
    expect(sel.matches({ a: 'z', b: '1' })).toBe(false);
  });

  it('requiresExactMatch finds =, == and single-valued in', () => {
    expect(parseLabelSelector('a=x,b').requiresExactMatch('a')).toBe('x');
    expect(parseLabelSelector('a==x').requiresExactMatch('a')).toBe('x');
    expect(parseLabelSelector('a in (x)').requiresExactMatch('a')).toBe('x');
    expect(parseLabelSelector('a in (x,y)').requiresExactMatch('a')).toBeUndefined();
    expect(parseLabelSelector('a!=x').requiresExactMatch('a')).toBeUndefined();
    expect(parseLabelSelector('b=x').requiresExactMatch('a')).toBeUndefined();
  });
});

describe('newLabelRequirement', () => {
  function error(fn: () => unknown): string {
    try {
      fn();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected an error');
  }

  it('validates operator arity as NewRequirement does', () => {
    expect(error(() => newLabelRequirement('x', 'in', []))).toBe(
      "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(error(() => newLabelRequirement('x', '=', ['a', 'b']))).toBe(
      'values: Invalid value: ["a","b"]: exact-match compatibility requires one single value',
    );
    expect(error(() => newLabelRequirement('x', 'exists', ['a']))).toBe(
      'values: Invalid value: ["a"]: values set must be empty for exists and does not exist',
    );
    expect(error(() => newLabelRequirement('x', 'gt', ['1', '2']))).toBe(
      'values: Invalid value: ["1","2"]: for \'Gt\', \'Lt\' operators, exactly one value is required',
    );
    expect(error(() => newLabelRequirement('x', 'like', ['a']))).toBe(
      'operator: Unsupported value: "like": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"',
    );
  });

  it('aggregates several errors in brackets', () => {
    const message = error(() => newLabelRequirement('-x', 'in', []));
    expect(message.startsWith('[key: Invalid value: "-x": name part must consist')).toBe(true);
    expect(message.endsWith(", values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty]")).toBe(true);
  });

  it('keeps the field errors as causes', () => {
    try {
      newLabelRequirement('x', 'in', []);
      throw new Error('expected an error');
    } catch (e) {
      expect((e as LabelSelectorError).causes.map((c) => [c.type, c.field])).toEqual([['FieldValueInvalid', 'values']]);
    }
  });
});
