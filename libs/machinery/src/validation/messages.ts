/**
 * The fragments Kubernetes builds its validation messages from
 * (`k8s.io/apimachinery/pkg/util/validation` and `pkg/api/validate/content`).
 */

/** `<msg> (e.g. 'a' or 'b', regex used for validation is '<re>')`. */
export function regexError(msg: string, re: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${re}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join('or ')}regex used for validation is '${re}')`;
}

/** Length limit worded in characters (DNS names, port names, config keys). */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** Length limit worded in bytes (label keys and values, newer wording). */
export function maxLenBytesError(length: number): string {
  return `must be no more than ${length} bytes`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}
