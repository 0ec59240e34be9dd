/**
 * JSON Pointers (RFC 6901): `/spec/template/metadata/annotations/a~1b`
 * addresses `spec.template.metadata.annotations["a/b"]`; `~0` is `~`.
 */

export class JsonPointerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPointerError';
  }
}

/** Splits a pointer into unescaped reference tokens; `''` is the whole document. */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPointerError(`JSON pointer must be empty or start with a "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Escapes one reference token (`a/b` → `a~1b`, `~` → `~0`). */
export function escapeJsonPointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a pointer from tokens: `formatJsonPointer(['metadata', 'labels', 'a/b'])` is `/metadata/labels/a~1b`. */
export function formatJsonPointer(tokens: ReadonlyArray<string | number>): string {
  return tokens.map((t) => `/${escapeJsonPointerToken(String(t))}`).join('');
}
