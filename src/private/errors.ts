/**
 * Builds the message every prop rejection uses: the construct, the prop, the bad value and what is allowed.
 */
export function propError(construct: string, prop: string, value: unknown, allowed: string): Error {
  return new Error(`${construct}: invalid ${prop} ${render(value)}: ${allowed}`);
}

function render(value: unknown): string {
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (value === undefined) {
    return '(unset)';
  }
  if (typeof value === 'object' && value !== null) {
    return String(value);
  }
  return `${value}`;
}
