import { Duration, Size, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** How a message shows a value that is only known at deploy time. */
export const TOKEN_SHOWN = '(a token)';

/**
 * The label an error of `scope` starts with: its construct path in brackets, then its type, e.g.
 * `[Primary/Orders] MultiAzPostgres`, the way aws-cdk-lib prints validation errors.
 */
export function where(scope: IConstruct, name: string): string {
  return `[${scope.node.path}] ${name}`;
}

/**
 * Builds the message every prop rejection uses: the construct, the prop, the bad value and what is allowed.
 *
 * `construct` is the label from `where` when the check runs in a construct, or the type name alone where there is no
 * construct yet (a static factory).
 */
export function propError(construct: string, prop: string, value: unknown, allowed: string): Error {
  return new Error(`${construct}: invalid ${prop} ${render(value)}: ${allowed}`);
}

/**
 * Whether `value` (a string, number, Duration or Size) is only known at deploy time.
 */
export function isToken(value: unknown): boolean {
  if (value instanceof Duration || value instanceof Size) {
    return value.isUnresolved();
  }
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}

/**
 * The value as a message shows it: strings quoted, Durations and Sizes in words, and a token as `(a token)` (never its
 * placeholder text or the number that encodes it). A string with a token inside shows the literal parts around it.
 */
export function render(value: unknown): string {
  if (value === undefined) {
    return '(unset)';
  }
  if (value instanceof Duration) {
    return value.isUnresolved() ? TOKEN_SHOWN : `'${value.toHumanString()}'`;
  }
  if (value instanceof Size && value.isUnresolved()) {
    return TOKEN_SHOWN;
  }
  if (typeof value === 'number') {
    return Token.isUnresolved(value) ? TOKEN_SHOWN : `${value}`;
  }
  if (typeof value === 'string') {
    // A whole token, or a Duration token in words (`Duration.toHumanString()` gives '<token> days').
    if ((Token.isUnresolved(value) && withoutTokens(value) === TOKEN_SHOWN) || /^<token> [a-z]+$/.test(value)) {
      return TOKEN_SHOWN;
    }
    return `'${withoutTokens(value)}'`;
  }
  if (typeof value === 'object' && value !== null) {
    return withoutTokens(String(value));
  }
  return `${value}`;
}

/** `text` with each token placeholder (string, list or encoded number) replaced by `(a token)`. */
function withoutTokens(text: string): string {
  return text
    .replace(/\$\{Token\[[^\]]*\]\}|#\{Token\[[^\]]*\]\}/g, TOKEN_SHOWN)
    .replace(/<token>/g, TOKEN_SHOWN)
    .replace(/-1\.888154589708\d*e\+289/g, TOKEN_SHOWN);
}
