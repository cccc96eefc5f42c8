/** A business error an MI transaction reports (M3 "NOK"). */
export class MiError extends Error {
  readonly code: string;
  readonly field: string;
  readonly type: string;
  constructor(message: string, code: string, field = "", type = "ServerReturnedNOK") {
    super(message);
    this.name = "MiError";
    this.code = code;
    this.field = field;
    this.type = type;
  }
}

export function notFound(what: string, field: string): MiError {
  return new MiError(`${what} does not exist`, "XRE0103", field);
}
