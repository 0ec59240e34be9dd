/**
 * `intstr.IntOrString` values such as a rolling update's `maxSurge` (`1` or
 * `"25%"`) and a Service's `targetPort` (`8080` or `"http"`).
 */
export type IntOrString = number | string;

export class IntOrStringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntOrStringError';
  }
}

// strconv.Atoi: optional sign, decimal digits, within int64 in practice.
const ATOI = /^[+-]?[0-9]+$/;

/**
 * Resolves an int-or-percent against a total, as `GetScaledValueFromIntOrPercent`:
 * an integer is taken as is; `"N%"` is N% of `total`, rounded up or down;
 * any other string is an error (`invalid value for IntOrString: invalid type:
 * string is not a percentage`).
 */
export function scaledValueFromIntOrPercent(value: IntOrString | null | undefined, total: number, roundUp: boolean): number {
  if (value === null || value === undefined) throw new IntOrStringError('nil value for IntOrString');
  if (typeof value === 'number') return Math.trunc(value);
  if (!value.endsWith('%')) {
    throw new IntOrStringError('invalid value for IntOrString: invalid type: string is not a percentage');
  }
  const digits = value.slice(0, -1);
  if (!ATOI.test(digits)) {
    throw new IntOrStringError(
      `invalid value for IntOrString: invalid value ${JSON.stringify(value)}: strconv.Atoi: parsing ${JSON.stringify(digits)}: invalid syntax`,
    );
  }
  const percent = Number.parseInt(digits, 10);
  const raw = (percent * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/** Short name used across controllers: `intOrPercent(maxSurge, replicas, true)`. */
export const intOrPercent = scaledValueFromIntOrPercent;

/**
 * A Service `targetPort` against a container's ports: a number is the port;
 * a name is looked up among named container ports. `undefined` when no port
 * has that name.
 */
export function resolvePort(
  port: IntOrString,
  containerPorts: ReadonlyArray<{ name?: string; containerPort: number }>,
): number | undefined {
  if (typeof port === 'number') return port;
  return containerPorts.find((p) => p.name === port)?.containerPort;
}
