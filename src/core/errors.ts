/** Error codes and classes: user-facing errors carry a message fit to show; the rest are logged, never shown raw. */

/** Every error code TensorDuel raises on purpose. */
export enum ErrorCode {
  InvalidDataFile = 'invalid_data_file',
  InvalidInput = 'invalid_input',
  UnknownCommand = 'unknown_command',
  UnknownArgument = 'unknown_argument',
  ModelLoad = 'model_load',
  Storage = 'storage',
  Benchmark = 'benchmark',
  Permission = 'permission',
  Internal = 'internal',
}

/** Base class: a code, and an optional cause that is kept for the log. */
export class TensorDuelError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An error whose message is written for the user and may be shown in the chat. */
export class UserError extends TensorDuelError {
  override readonly name = 'UserError';
}

/** A data file (knowledge, intents, benchmark spec) failed validation; names the file and the field. */
export class DataFileError extends TensorDuelError {
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, detail: string, options?: { cause?: unknown }) {
    super(ErrorCode.InvalidDataFile, `${file}: field "${field}": ${detail}`, options);
    this.file = file;
    this.field = field;
  }
}

/** Wraps anything thrown into a TensorDuelError, keeping the original as `cause`. */
export function asTensorDuelError(err: unknown): TensorDuelError {
  if (err instanceof TensorDuelError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TensorDuelError(ErrorCode.Internal, message, { cause: err });
}
