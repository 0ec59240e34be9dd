/**
 * Tokenizer of the label selector syntax, following
 * `k8s.io/apimachinery/pkg/labels` token for token so that error messages
 * quote the same text Kubernetes quotes.
 */

export enum Token {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const LITERAL_TOKENS: ReadonlyMap<string, Token> = new Map([
  [')', Token.ClosedPar],
  [',', Token.Comma],
  ['!', Token.DoesNotExist],
  ['==', Token.DoubleEquals],
  ['=', Token.Equals],
  ['>', Token.GreaterThan],
  ['in', Token.In],
  ['<', Token.LessThan],
  ['!=', Token.NotEquals],
  ['notin', Token.NotIn],
  ['(', Token.OpenPar],
]);

export interface ScannedItem {
  token: Token;
  literal: string;
}

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecialSymbol(ch: string): boolean {
  return ch === '=' || ch === '!' || ch === '(' || ch === ')' || ch === ',' || ch === '>' || ch === '<';
}

/** Splits a selector into tokens, ending with an EndOfString token. */
export function scanLabelSelector(input: string): ScannedItem[] {
  const items: ScannedItem[] = [];
  let pos = 0;
  const read = (): string => (pos < input.length ? input[pos++] : '');

  for (;;) {
    let ch = read();
    while (ch !== '' && isWhitespace(ch)) ch = read();
    if (ch === '') {
      items.push({ token: Token.EndOfString, literal: '' });
      return items;
    }
    pos--;
    items.push(isSpecialSymbol(ch) ? scanSpecialSymbol() : scanIdentifierOrKeyword());
  }

  function scanIdentifierOrKeyword(): ScannedItem {
    let buffer = '';
    for (;;) {
      const ch = read();
      if (ch === '') break;
      if (isSpecialSymbol(ch) || isWhitespace(ch)) {
        pos--;
        break;
      }
      buffer += ch;
    }
    const keyword = LITERAL_TOKENS.get(buffer);
    return { token: keyword ?? Token.Identifier, literal: buffer };
  }

  // The longest run of special symbols that still forms a token: `!=` is one
  // token, `=!` is `=` followed by `!`.
  function scanSpecialSymbol(): ScannedItem {
    let last: ScannedItem | undefined;
    let buffer = '';
    for (;;) {
      const ch = read();
      if (ch === '') break;
      if (!isSpecialSymbol(ch)) {
        pos--;
        break;
      }
      buffer += ch;
      const token = LITERAL_TOKENS.get(buffer);
      if (token !== undefined) {
        last = { token, literal: buffer };
      } else if (last) {
        pos--;
        break;
      }
    }
    return last ?? { token: Token.Error, literal: `error expected: keyword found '${buffer}'` };
  }
}
