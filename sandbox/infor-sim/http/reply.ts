export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** undefined = no body at all (a bare status). */
  body?: string;
  /** Wait this long before replying (ION throttling policy "rate smoothing"). */
  delayMs?: number;
  /** Close the connection without an answer (the call ran; its answer is lost). */
  drop?: boolean;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(value),
  };
}

/** What a gateway in front of a failing backend shows: an HTML page, not JSON. */
export function htmlErrorPage(status: number): Reply {
  const title = `${status} ${status === 502 ? "Bad Gateway" : status === 504 ? "Gateway Timeout" : "Service Unavailable"}`;
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
    body: `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>The server encountered a temporary error. Please try again later.</p><hr><center>infor-sim</center></body></html>`,
  };
}
