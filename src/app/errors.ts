/** Start-up problems of the composed app, with stable codes (the CLI prints the message). */
export type AppErrorCode = "tenant_without_ionapi" | "bad_ionapi" | "bad_role";

export class AppError extends Error {
  readonly code: AppErrorCode;
  constructor(code: AppErrorCode, message: string) {
    super(message);
    this.name = "AppError";
    this.code = code;
  }
}
