import { type ErrorCode, errorCatalogue } from './catalogue.ts';

/**
 * The one error type of the project: a stable code (public API), a short message a person can act on,
 * optional details (never raw health values, salts or keys) and the cause chain.
 */
export class ProtocolError extends Error {
  override readonly name: string = 'DataGraphError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message ?? errorCatalogue[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** HTTP status that goes with the code. */
  get status(): number {
    return errorCatalogue[this.code].status;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
