/**
 * Paths to fields inside an object, rendered as Kubernetes renders them in
 * validation messages: `spec.containers[0].ports[1].containerPort`,
 * `metadata.labels[app]`.
 *
 * A `FieldPath` is immutable: `child`, `index` and `key` return new paths.
 */
export class FieldPath {
  private constructor(
    private readonly parent: FieldPath | undefined,
    /** A field name, or undefined when this element is a subscript. */
    private readonly name: string | undefined,
    /** The subscript (list index or map key) when `name` is undefined. */
    private readonly subscript: string | undefined,
  ) {}

  /** A path starting at the named field: `FieldPath.root('spec', 'template')`. */
  static root(name: string, ...more: string[]): FieldPath {
    let path = new FieldPath(undefined, name, undefined);
    for (const n of more) path = new FieldPath(path, n, undefined);
    return path;
  }

  child(name: string, ...more: string[]): FieldPath {
    let path: FieldPath = new FieldPath(this, name, undefined);
    for (const n of more) path = new FieldPath(path, n, undefined);
    return path;
  }

  index(index: number): FieldPath {
    return new FieldPath(this, undefined, String(index));
  }

  key(key: string): FieldPath {
    return new FieldPath(this, undefined, key);
  }

  toString(): string {
    const elements: FieldPath[] = [];
    for (let p: FieldPath | undefined = this; p; p = p.parent) elements.unshift(p);
    let out = '';
    for (const e of elements) {
      if (e.name !== undefined) {
        out += e.parent && e.name.length > 0 ? `.${e.name}` : e.name;
      } else {
        out += `[${e.subscript}]`;
      }
    }
    return out;
  }
}

/**
 * Builds a path from its parts: strings are fields, numbers are list indexes.
 * `fieldPath('spec', 'containers', 0, 'image')` renders as
 * `spec.containers[0].image`. Map keys need `.key()` on the result.
 */
export function fieldPath(first: string, ...rest: Array<string | number>): FieldPath {
  let path = FieldPath.root(first);
  for (const part of rest) path = typeof part === 'number' ? path.index(part) : path.child(part);
  return path;
}

/** What builders accept where Kubernetes takes a `*field.Path`. */
export type PathLike = FieldPath | string | undefined;

/** How a missing path renders: Go prints a nil `*field.Path` as `<nil>`. */
export function renderPath(path: PathLike): string {
  if (path === undefined) return '<nil>';
  return typeof path === 'string' ? path : path.toString();
}
