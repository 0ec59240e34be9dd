import { Field, MapField, Message, Type } from 'protobufjs';
import { KubernetesProtobufError } from './errors';
import { goJsonFields, goSliceMessages } from './schema.generated';

/**
 * Turns a decoded Kubernetes protobuf message into the JSON that Go's
 * encoding/json prints for the same object after the apiserver decoded it.
 *
 * The .proto files alone cannot say that: Go's generated marshallers write
 * every non-pointer field, zero or not, so "present on the wire" does not mean
 * "present in JSON". Per field we therefore follow the Go struct tag facts
 * extracted by scripts/generate-schema.js:
 *
 * - scalar, non-pointer: omitted when zero and `omitempty`/`omitzero`, else
 *   printed (also when absent from the wire: Go sees its zero value);
 * - scalar or struct, pointer: printed whenever on the wire (`replicas: 0`),
 *   omitted (or `null` without `omitempty`) when absent;
 * - struct, non-pointer: always printed, `omitempty` has no effect on structs
 *   in Go (`"resources": {}`, `"status": {}`); `omitzero` drops a zero one;
 * - slice/map: omitted when empty and `omitempty`, else `null` when empty;
 * - `json:",inline"` structs are merged into the parent (Probe.handler,
 *   Volume.volumeSource, ...), `json:"-"` fields are dropped.
 *
 * And the types with their own JSON form: Time/MicroTime (RFC 3339 or null),
 * Duration ("1m30s"), Quantity ("100m"), IntOrString (number or string),
 * RawExtension/FieldsV1 (the embedded JSON), bytes (base64), named slice types
 * such as ExtraValue/Verbs (a plain array). Map keys come out sorted, as Go
 * prints them.
 */
export function messageToGoJson(type: Type, message: Message | undefined): Record<string, unknown> {
  const value = convertMessage(type, message as Fields | undefined);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${type.fullName} does not print as a JSON object`);
  }
  return value as Record<string, unknown>;
}

const OMITEMPTY = 1;
const POINTER = 2;
const INLINE = 4;
const OMITZERO = 8;
const NOT_IN_JSON = 16;

type GoField = [protoName: string, jsonName: string, flags: number];
type Fields = Record<string, unknown>;

const OMIT = Symbol('omit');
const SLICE_MESSAGES = new Set(goSliceMessages);
const FACTS: Readonly<Record<string, GoField[]>> = goJsonFields;

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const SPECIAL: Readonly<Record<string, (m: Fields | undefined) => unknown>> = {
  [`${META}.Time`]: timeToJson,
  [`${META}.MicroTime`]: microTimeToJson,
  [`${META}.Duration`]: (m) => goDurationString(toBigInt(get(m, 'duration') ?? 0)),
  // Yes, upstream names this field `Raw`, capitalised.
  [`${META}.FieldsV1`]: (m) => rawJson(m, 'Raw', 'FieldsV1'),
  'k8s.io.apimachinery.pkg.runtime.RawExtension': (m) => rawJson(m, 'raw', 'RawExtension'),
  'k8s.io.apimachinery.pkg.api.resource.Quantity': quantityToJson,
  'k8s.io.apimachinery.pkg.api.resource.QuantityValue': quantityToJson,
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': intOrStringToJson,
};

function has(m: Fields | undefined, key: string): m is Fields {
  return m !== undefined && Object.prototype.hasOwnProperty.call(m, key);
}

function get(m: Fields | undefined, key: string): unknown {
  return has(m, key) ? m[key] : undefined;
}

function typeName(type: Type): string {
  return type.fullName.startsWith('.') ? type.fullName.slice(1) : type.fullName;
}

function convertMessage(type: Type, m: Fields | undefined): unknown {
  const name = typeName(type);
  const special = SPECIAL[name];
  if (special) return special(m);
  if (SLICE_MESSAGES.has(name)) {
    // `type ExtraValue []string`: protobuf wraps it in {items}, JSON is the slice.
    const items = get(m, 'items');
    const field = type.fields['items'];
    return Array.isArray(items) && items.length > 0 && field ? items.map((v) => convertValue(field, v)) : null;
  }
  const facts = FACTS[name] ?? fallbackFacts(type);
  const out: Fields = {};
  let inlined: Fields[] | undefined;
  for (const [protoName, jsonName, flags] of facts) {
    if (flags & NOT_IN_JSON) continue;
    const field = type.fields[protoName];
    if (!field) continue;
    const value = convertField(field, m, flags);
    if (value === OMIT) continue;
    if (flags & INLINE) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        // Keep the position of the embedded struct; merged below.
        const slot = `\0inline${(inlined ??= []).length}`;
        inlined.push(value as Fields);
        out[slot] = null;
      }
    } else {
      out[jsonName] = value;
    }
  }
  if (!inlined) return out;
  // encoding/json promotes the fields of an embedded struct; a field of the
  // outer struct hides a promoted one of the same name.
  const hidden = new Set(facts.filter(([, , f]) => !(f & (INLINE | NOT_IN_JSON))).map(([, j]) => j));
  const merged: Fields = {};
  for (const [key, value] of Object.entries(out)) {
    if (!key.startsWith('\0inline')) {
      merged[key] = value;
      continue;
    }
    for (const [k, v] of Object.entries(inlined[Number(key.slice(7))])) {
      if (!hidden.has(k) && !(k in merged)) merged[k] = v;
    }
  }
  return merged;
}

/** A message without Go facts: print what is on the wire under its proto name. */
function fallbackFacts(type: Type): GoField[] {
  return type.fieldsArray.map((f) => [f.name, f.name, OMITEMPTY | POINTER]);
}

function convertField(field: Field, m: Fields | undefined, flags: number): unknown {
  const omitEmpty = (flags & OMITEMPTY) !== 0;
  const omitZero = (flags & OMITZERO) !== 0;
  const pointer = (flags & POINTER) !== 0;
  const present = has(m, field.name);
  const raw = present ? m[field.name] : undefined;

  if (field instanceof MapField || field.map) {
    const entries = raw && typeof raw === 'object' ? Object.entries(raw as Fields) : [];
    if (entries.length === 0) return omitEmpty || omitZero ? OMIT : null;
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, convertValue(field, v)]));
  }
  if (field.repeated) {
    if (!Array.isArray(raw) || raw.length === 0) return omitEmpty || omitZero ? OMIT : null;
    return raw.map((v) => convertValue(field, v));
  }
  const resolved = resolveType(field);
  if (resolved) {
    if (!present) {
      if (pointer) return omitEmpty || omitZero ? OMIT : null;
      // A non-pointer struct Go saw as its zero value.
      if (omitZero && isZeroMessage(resolved, undefined)) return OMIT;
      return sliceOrStruct(resolved, undefined, omitEmpty);
    }
    const sub = raw as Fields;
    if (!pointer && omitZero && isZeroMessage(resolved, sub)) return OMIT;
    return sliceOrStruct(resolved, sub, omitEmpty);
  }
  if (field.type === 'bytes') {
    // nil []byte prints as null; present (even empty) is a non-nil slice.
    if (!present) return omitEmpty || omitZero ? OMIT : null;
    const bytes = raw as Uint8Array;
    if (bytes.length === 0 && omitEmpty) return OMIT;
    return toBase64(bytes);
  }
  if (!present) {
    if (pointer) return omitEmpty || omitZero ? OMIT : null;
    return omitEmpty || omitZero ? OMIT : scalarZero(field.type);
  }
  const value = convertScalar(field.type, raw);
  if (!pointer && (omitEmpty || omitZero) && isZeroScalar(value)) return OMIT;
  return value;
}

/** Named slice types are slices in Go, so `omitempty` applies to them. */
function sliceOrStruct(type: Type, m: Fields | undefined, omitEmpty: boolean): unknown {
  const value = convertMessage(type, m);
  if (omitEmpty && SLICE_MESSAGES.has(typeName(type)) && value === null) return OMIT;
  return value;
}

/** One element of a repeated field or one map value. */
function convertValue(field: Field, v: unknown): unknown {
  const resolved = resolveType(field);
  if (resolved) return convertMessage(resolved, v as Fields);
  if (field.type === 'bytes') return toBase64(v as Uint8Array);
  return convertScalar(field.type, v);
}

function resolveType(field: Field): Type | null {
  if (!field.resolved) field.resolve();
  return field.resolvedType instanceof Type ? field.resolvedType : null;
}

function isZeroMessage(type: Type, m: Fields | undefined): boolean {
  const name = typeName(type);
  if (name === `${META}.Time` || name === `${META}.MicroTime`) return convertMessage(type, m) === null;
  if (m === undefined) return true;
  for (const field of type.fieldsArray) {
    if (!has(m, field.name)) continue;
    const v = m[field.name];
    if (field.map || field.repeated) {
      if (Array.isArray(v) ? v.length > 0 : Object.keys(v as Fields).length > 0) return false;
      continue;
    }
    const resolved = resolveType(field);
    if (resolved) {
      if (!isZeroMessage(resolved, v as Fields)) return false;
    } else if (field.type === 'bytes') {
      return false;
    } else if (!isZeroScalar(convertScalar(field.type, v))) {
      return false;
    }
  }
  return true;
}

// --- scalars ---------------------------------------------------------------

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function convertScalar(protoType: string, v: unknown): unknown {
  if (LONG_TYPES.has(protoType)) return longToNumber(v);
  if (protoType === 'double' || protoType === 'float') {
    const n = v as number;
    if (!Number.isFinite(n)) throw KubernetesProtobufError.malformed(`unsupported float value ${n}`);
    return n;
  }
  return v;
}

function scalarZero(protoType: string): unknown {
  if (protoType === 'string') return '';
  if (protoType === 'bool') return false;
  return 0;
}

function isZeroScalar(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function longToNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  // protobufjs decodes 64-bit integers to Long (long.js) objects.
  if (v !== null && typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  throw KubernetesProtobufError.malformed(`unexpected 64-bit value ${String(v)}`);
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return BigInt(String(v));
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

// --- types with their own JSON form ------------------------------------------

/** metav1.Time: an empty message is the zero time (`null`); only seconds are kept. */
function timeToJson(m: Fields | undefined): string | null {
  if (!has(m, 'seconds') && !has(m, 'nanos')) return null;
  return formatRfc3339(toBigInt(get(m, 'seconds') ?? 0), 0n, false);
}

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
function microTimeToJson(m: Fields | undefined): string | null {
  if (!has(m, 'seconds') && !has(m, 'nanos')) return null;
  return formatRfc3339(toBigInt(get(m, 'seconds') ?? 0), toBigInt(get(m, 'nanos') ?? 0), true);
}

const MIN_SECONDS = -62135596800n; // 0001-01-01T00:00:00Z, Go's zero time
const MAX_SECONDS = 253402300799n; // 9999-12-31T23:59:59Z

function formatRfc3339(seconds: bigint, nanos: bigint, micro: boolean): string | null {
  const totalNanos = seconds * 1_000_000_000n + nanos;
  const wholeSeconds = totalNanos >= 0n ? totalNanos / 1_000_000_000n : -((-totalNanos + 999_999_999n) / 1_000_000_000n);
  const fraction = totalNanos - wholeSeconds * 1_000_000_000n;
  if (wholeSeconds === MIN_SECONDS && fraction === 0n) return null; // Go's zero time.Time
  if (wholeSeconds < MIN_SECONDS || wholeSeconds > MAX_SECONDS) {
    throw KubernetesProtobufError.malformed(`timestamp ${seconds}s is outside years 0001-9999`);
  }
  // Date handles years 1..9999 (toISOString prints four digits there).
  const iso = new Date(Number(wholeSeconds) * 1000).toISOString().slice(0, 19);
  if (!micro) return `${iso}Z`;
  return `${iso}.${(fraction / 1000n).toString().padStart(6, '0')}Z`;
}

/** Go's time.Duration.String(): "0s", "1.5s", "1h30m0s", "250ms", "1µs". */
export function goDurationString(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const neg = nanos < 0n;
  let u = neg ? -nanos : nanos;
  let out: string;
  if (u < 1_000_000_000n) {
    let unit: string;
    let prec: number;
    if (u < 1_000n) [unit, prec] = ['ns', 0];
    else if (u < 1_000_000n) [unit, prec] = ['µs', 3];
    else [unit, prec] = ['ms', 6];
    const [frac, rest] = fmtFrac(u, prec);
    out = `${rest}${frac}${unit}`;
  } else {
    const [frac, secs] = fmtFrac(u, 9);
    u = secs;
    out = `${u % 60n}${frac}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** Go's fmtFrac: the fraction of v/10^prec without trailing zeros, and v/10^prec. */
function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let digits = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) digits = `${digit}${digits}`;
    v /= 10n;
  }
  return [print ? `.${digits}` : '', v];
}

/** resource.Quantity prints its string form; the zero Quantity prints "0". */
function quantityToJson(m: Fields | undefined): string {
  const s = get(m, 'string');
  return typeof s === 'string' && s !== '' ? s : '0';
}

/** intstr.IntOrString: type 1 is a string, anything else the int (zero value: 0). */
function intOrStringToJson(m: Fields | undefined): number | string {
  const kind = has(m, 'type') ? longToNumber(m.type) : 0;
  if (kind === 1) return (get(m, 'strVal') as string | undefined) ?? '';
  return (get(m, 'intVal') as number | undefined) ?? 0;
}

/** RawExtension and FieldsV1 carry JSON bytes, printed as that JSON; none prints null. */
function rawJson(m: Fields | undefined, field: string, what: string): unknown {
  const raw = get(m, field) as Uint8Array | undefined;
  if (!raw || raw.length === 0) return null;
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw KubernetesProtobufError.unsupported(`${what} holds bytes that are not JSON; send the object as application/json`, err);
  }
}
