// The JSONPath dialect of k8s.io/client-go/util/jsonpath, as used for CRD
// additionalPrinterColumns (with AllowMissingKeys): fields (`.a.b`, with `\.`
// escapes), `['key']`, indexes and slices (`[0]`, `[-1]`, `[1:3]`), `[*]`,
// `.*`, unions (`[0,2]`), recursive descent (`..name`) and filters
// (`[?(@.type=="Ready")]`, `==`, `!=`, `<`, `>`, `<=`, `>=`, `[?(@.x)]`).
// Range/end templates and text outside the expression are not supported.

type Node =
  | { t: 'field'; name: string }
  | { t: 'wildcard' }
  | { t: 'recursive' }
  | { t: 'array'; params: [Param, Param, Param] }
  | { t: 'union'; lists: Node[][] }
  | { t: 'filter'; left: Node[]; right: Node[]; op: string }
  | { t: 'literal'; value: string | number | boolean };

interface Param {
  known: boolean;
  value: number;
  derived?: boolean;
}

export class JSONPathError extends Error {}

const isTerminator = (c: string | undefined): boolean =>
  c === undefined || ' \t\r\n.,[]$@{}'.includes(c);
const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && /^[\p{L}\p{N}_]$/u.test(c);
const DICT_KEY = /^'([^']*)'$/;
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const FILTER = /^([^!<>=]+)([!<>=]+)(.+?)$/s;

/** Parses a JSONPath such as `.status.conditions[?(@.type=="Ready")].status`
 * (optionally wrapped in `{}`). Throws JSONPathError on invalid syntax. */
export function parseJSONPath(path: string): Node[] {
  let text = path.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1);
  return parseNodes(text);
}

function parseNodes(src: string): Node[] {
  const nodes: Node[] = [];
  let i = 0;
  const field = (start: number): void => {
    let j = start;
    while (j < src.length) {
      if (src[j] === '\\') j += 2;
      else if (isTerminator(src[j])) break;
      else j++;
    }
    const value = src.slice(start, j);
    nodes.push(value === '*' ? { t: 'wildcard' } : { t: 'field', name: value.replace(/\\/g, '') });
    i = j;
  };
  while (i < src.length) {
    const c = src[i];
    if (src.startsWith('[?(', i)) {
      i = parseFilter(src, i + 3, nodes);
    } else if (src.startsWith('..', i)) {
      if (nodes[nodes.length - 1]?.t === 'recursive') throw new JSONPathError('invalid multiple recursive descent');
      nodes.push({ t: 'recursive' });
      i += 2;
      if (isAlphaNumeric(src[i])) field(i);
    } else if (c === ' ' || c === '@' || c === '$') {
      i++;
    } else if (c === '[') {
      const end = src.indexOf(']', i);
      if (end < 0 || src.slice(i, end).includes('\n')) throw new JSONPathError('unterminated array');
      parseArray(src.slice(i + 1, end), nodes);
      i = end + 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && !(src[j] === c && src[j - 1] !== '\\')) j++;
      if (j >= src.length) throw new JSONPathError('unterminated quoted string');
      nodes.push({ t: 'literal', value: unquote(src.slice(i + 1, j)) });
      i = j + 1;
    } else if (c === '.') {
      field(i + 1);
    } else if (c === '+' || c === '-' || /\d/.test(c)) {
      const m = /^[+-]?[\d.]*/.exec(src.slice(i))![0];
      const value = Number(m);
      if (m === '' || Number.isNaN(value)) throw new JSONPathError(`cannot parse number ${m}`);
      nodes.push({ t: 'literal', value });
      i += m.length;
    } else if (isAlphaNumeric(c)) {
      let j = i;
      while (!isTerminator(src[j])) j++;
      const word = src.slice(i, j);
      if (word !== 'true' && word !== 'false') throw new JSONPathError(`unsupported identifier ${word}`);
      nodes.push({ t: 'literal', value: word === 'true' });
      i = j;
    } else {
      throw new JSONPathError(`unrecognized character in action: ${c}`);
    }
  }
  return nodes;
}

function parseArray(inner: string, nodes: Node[]): void {
  const text = inner === '*' ? ':' : inner;
  const parts = text.split(',');
  if (parts.length > 1) {
    nodes.push({ t: 'union', lists: parts.map((p) => parseNodes(`[${p.trim()}]`)) });
    return;
  }
  const key = DICT_KEY.exec(text);
  if (key) {
    nodes.push(...parseNodes(`.${key[1]}`));
    return;
  }
  const m = SLICE.exec(text);
  if (!m) throw new JSONPathError(`invalid array index ${text}`);
  const params: Param[] = [];
  for (let k = 0; k < 3; k++) {
    let v = m[k + 1] ?? '';
    if (v !== '') {
      if (k > 0) v = v.slice(1);
      params.push(k > 0 && v === '' ? { known: false, value: 0 } : { known: true, value: Number(v) });
    } else if (k === 1) {
      params.push({ known: true, value: params[0].value + 1, derived: true });
    } else {
      params.push({ known: false, value: 0 });
    }
  }
  nodes.push({ t: 'array', params: params as [Param, Param, Param] });
}

function parseFilter(src: string, start: number, nodes: Node[]): number {
  let i = start;
  let begin = false;
  let end = false;
  let pair = '';
  for (;; i++) {
    const r = src[i];
    if (r === undefined || r === '\n') throw new JSONPathError('unterminated filter');
    if (r === '"' || r === "'") {
      if (!begin) {
        begin = true;
        pair = r;
      } else if (src[i - 1] !== '\\' && r === pair) {
        end = true;
      }
    } else if (r === ')' && begin === end) {
      break;
    }
  }
  if (src[i + 1] !== ']') throw new JSONPathError('unclosed array expect ]');
  const text = src.slice(start, i);
  const m = FILTER.exec(text);
  if (!m) nodes.push({ t: 'filter', left: parseNodes(text), right: [], op: 'exists' });
  else nodes.push({ t: 'filter', left: parseNodes(m[1]), right: parseNodes(m[3]), op: m[2] });
  return i + 2;
}

function unquote(s: string): string {
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r' };
  return s.replace(/\\(.)/g, (_, ch: string) => escapes[ch] ?? ch);
}

// ---------------------------------------------------------------- evaluation

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.values(v);
  if (typeof v === 'string') return [...Buffer.from(v)];
  return [];
}

function evalList(input: unknown[], nodes: Node[]): unknown[] {
  return nodes.reduce((values, node) => evalNode(values, node), input);
}

function evalNode(input: unknown[], node: Node): unknown[] {
  switch (node.t) {
    case 'literal':
      return typeof node.value === 'string' ? [node.value] : input.map(() => node.value);
    case 'field':
      return input.filter(isMap).filter((v) => Object.hasOwn(v, node.name)).map((v) => v[node.name]);
    case 'wildcard':
      return input.filter((v) => v !== null && v !== undefined).flatMap(children);
    case 'recursive': {
      const out: unknown[] = [];
      const visit = (v: unknown): void => {
        const kids = v === null || v === undefined ? [] : children(v);
        if (kids.length === 0) return;
        out.push(v);
        kids.forEach(visit);
      };
      input.forEach(visit);
      return out;
    }
    case 'union':
      return node.lists.flatMap((list) => evalList(input, list));
    case 'array':
      return input.filter((v) => v !== null && v !== undefined).flatMap((v) => slice(v, node.params));
    case 'filter':
      return input.flatMap((v) => filter(v, node));
  }
}

function slice(v: unknown, [p0, p1]: [Param, Param, Param]): unknown[] {
  if (!Array.isArray(v)) throw new JSONPathError('not array or slice');
  const len = v.length;
  let start = p0.known ? p0.value : 0;
  if (start < 0) start += len;
  let stop = p1.known ? p1.value : len;
  if (stop < 0 || (stop === 0 && p1.derived)) stop += len;
  if (stop !== start && (start >= len || stop > len)) throw new JSONPathError('array index out of bounds');
  if (start < 0 || stop < start) throw new JSONPathError('array index out of bounds');
  return v.slice(start, stop);
}

function filter(v: unknown, node: Extract<Node, { t: 'filter' }>): unknown[] {
  if (!Array.isArray(v)) throw new JSONPathError('not array or slice and cannot be filtered');
  return v.filter((item) => {
    const lefts = evalList([item], node.left);
    if (node.op === 'exists') return lefts.length > 0;
    const rights = evalList([item], node.right);
    if (lefts.length !== 1 || rights.length !== 1) throw new JSONPathError('can only compare one element at a time');
    return compare(node.op, lefts[0], rights[0]);
  });
}

function compare(op: string, left: unknown, right: unknown): boolean {
  const lt = typeof left;
  if (left === null || right === null || lt !== typeof right || !['string', 'number', 'boolean'].includes(lt)) {
    throw new JSONPathError('incompatible types for comparison');
  }
  if (op === '==') return left === right;
  if (op === '!=') return left !== right;
  if (lt === 'boolean') throw new JSONPathError('invalid type for comparison');
  const [a, b] = [left as string | number, right as string | number];
  switch (op) {
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
  }
  throw new JSONPathError(`unrecognized filter operator ${op}`);
}

/** Evaluates a parsed path against `data`; missing keys give no results, any
 * other evaluation error throws JSONPathError. */
export function findResults(nodes: Node[], data: unknown): unknown[] {
  return evalList([data], nodes);
}

export type JSONPath = Node[];
