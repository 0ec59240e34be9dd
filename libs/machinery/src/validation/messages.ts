/**
 * The fragments Kubernetes builds its validation messages from
 * (`k8s.io/apimachinery/pkg/util/validation`, as of v1.32).
 */

/**
 * `<msg> (e.g. 'a',  or 'b', regex used for validation is '<re>')`: Go's
 * RegexError puts `' or '` between examples that each end in `', '`, hence
 * the two spaces, which kube-apiserver's messages carry.
 */
export function regexError(msg: string, re: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${re}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${re}')`;
}

/** `MaxLenError`: the limit is in bytes (Go's len) but worded in characters, for every kind of name. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}
