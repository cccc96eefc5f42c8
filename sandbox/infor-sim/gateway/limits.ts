/**
 * Per-tenant request budget: a fixed 60 s window that starts at the first call, as ION's quota
 * policy describes ("the window starts at the first request"); calls over the allowance are rejected.
 */
export class MinuteWindow {
  private start = 0;
  private used = 0;

  /** Takes one unit; false when the window's allowance (0 = none) is spent: refused, not counted. */
  take(now: number, allowance: number): boolean {
    if (this.used === 0 || now - this.start >= 60_000) {
      this.start = now;
      this.used = 0;
    }
    if (allowance > 0 && this.used >= allowance) return false;
    this.used++;
    return true;
  }

  /** Calls taken in the current window. */
  count(): number {
    return this.used;
  }

  /** Seconds until the window ends. */
  secondsLeft(now: number): number {
    return Math.max(1, Math.ceil((this.start + 60_000 - now) / 1000));
  }
}

/** Rolling 60 s count of sign-ins (token grants) per tenant. */
export class RollingMinute {
  private stamps: number[] = [];

  take(now: number, cap: number): boolean {
    this.stamps = this.stamps.filter((t) => now - t < 60_000);
    if (cap > 0 && this.stamps.length >= cap) return false;
    this.stamps.push(now);
    return true;
  }
}
