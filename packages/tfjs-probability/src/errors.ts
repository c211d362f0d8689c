/**
 * Errors thrown by tfjs-probability. Every message names the class, the
 * parameter or method, what was given and what was expected.
 */

/** Thrown when a distribution cannot provide a method (no closed or stable form). */
export class NotImplementedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotImplementedError';
  }
}

/** Thrown for arguments of the wrong shape, type or value. */
export class InvalidArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidArgumentError';
  }
}

/** Formats a shape as `[2, 3]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
