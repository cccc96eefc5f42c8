import { defineScript } from "../../shared/lua-script.ts";

/** rpm-gcra.lua's first reply element. */
export const GCRA_CODE = { reserved: 1, tooFar: 0 } as const;

/**
 * Reserve the next request slot of a tenant's budget (rpm-gcra.lua): whether it was reserved,
 * and the wait in microseconds (to the slot, or to the next slot when not reserved).
 */
export const rpmGcraScript = defineScript({
  file: new URL("./rpm-gcra.lua", import.meta.url),
  keys: ["tat"],
  args: ["intervalUs", "burst", "maxWaitUs"],
  decode(raw) {
    const [reserved, waitUs] = raw as [number, number];
    return { reserved: Number(reserved) === GCRA_CODE.reserved, waitUs: Number(waitUs) };
  },
});

/** Record a sign-in (signin-window.lua): 0 when allowed, else the ms until one is. */
export const signInWindowScript = defineScript({
  file: new URL("./signin-window.lua", import.meta.url),
  keys: ["signIns"],
  args: ["windowMs", "max", "member"],
  decode: (raw) => Number(raw),
});
