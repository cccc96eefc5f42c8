/** Errors of the exception pipeline, with stable codes (never match on the message). */
export type PipelineErrorCode = "state_conflict" | "state_corrupt";

export class PipelineError extends Error {
  readonly code: PipelineErrorCode;

  constructor(code: PipelineErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PipelineError";
    this.code = code;
  }
}
