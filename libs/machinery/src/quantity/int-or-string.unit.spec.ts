import { intOrPercent, resolvePort, scaledValueFromIntOrPercent } from './int-or-string';

describe('scaledValueFromIntOrPercent', () => {
  it('takes integers as they are', () => {
    expect(intOrPercent(3, 10, true)).toBe(3);
    expect(intOrPercent(0, 10, false)).toBe(0);
  });

  it('scales percentages, rounding as asked', () => {
    expect(intOrPercent('25%', 10, true)).toBe(3);
    expect(intOrPercent('25%', 10, false)).toBe(2);
    expect(intOrPercent('25%', 3, true)).toBe(1);
    expect(intOrPercent('25%', 3, false)).toBe(0);
    expect(intOrPercent('100%', 7, false)).toBe(7);
    expect(intOrPercent('0%', 7, true)).toBe(0);
  });

  it('rejects strings that are not percentages', () => {
    expect(() => scaledValueFromIntOrPercent('25', 10, true)).toThrow(
      'invalid value for IntOrString: invalid type: string is not a percentage',
    );
    expect(() => scaledValueFromIntOrPercent('x%', 10, true)).toThrow(
      'invalid value for IntOrString: invalid value "x%": strconv.Atoi: parsing "x": invalid syntax',
    );
    expect(() => scaledValueFromIntOrPercent(undefined, 10, true)).toThrow('nil value for IntOrString');
  });
});

describe('resolvePort', () => {
  const ports = [{ name: 'http', containerPort: 8080 }, { containerPort: 9090 }];
  it('resolves numbers and names', () => {
    expect(resolvePort(80, ports)).toBe(80);
    expect(resolvePort('http', ports)).toBe(8080);
    expect(resolvePort('grpc', ports)).toBeUndefined();
  });
});
