import { defineScript } from "../shared/lua-script.ts";

/**
 * Append one entry and index it (see the header of append.lua); the reply is the entry's stream
 * id. Everything is the tail: the stream and index sets (keys), MAXLEN and the fields (args), as
 * AuditLog.prepare builds them.
 */
export const appendScript = defineScript({
  file: new URL("./append.lua", import.meta.url),
  keys: [],
  args: [],
  decode: (raw) => String(raw),
});
