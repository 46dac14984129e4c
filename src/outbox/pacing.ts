import { performance } from 'node:perf_hooks';

/**
 * Paces posts per Slack channel: Slack allows about one message per second per
 * channel, with short bursts, and answers more with 429. This is the generic cell
 * rate algorithm (a token bucket kept as one time per channel). A post refused now
 * is given the next free turn and keeps it, so a busy channel's waiting posts come
 * back one at a time instead of all retrying together.
 *
 * Time is the process's monotonic clock, not the service clock: the limit is Slack's,
 * in real seconds. One process holds the turns, as wadesk runs as one process.
 */
export class ChannelPacer {
  /** Per channel, when the turn after all those given out starts. */
  private readonly nextFree = new Map<string, number>();
  /** Turns given to posts that were told to wait, by post key. */
  private readonly reserved = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly burstMs: number;

  constructor(
    limits: { perSecond: number; burst: number },
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = 1000 / limits.perSecond;
    this.burstMs = (limits.burst - 1) * this.intervalMs;
  }

  /** Takes the turn of post `key` in `channel`: 0 when it may go now, else how many ms until its turn. */
  take(channel: string, key: string): number {
    const now = this.now();
    const turn = this.reserved.get(key);
    if (turn !== undefined) {
      if (turn > now) return Math.ceil(turn - now);
      this.reserved.delete(key);
      return 0;
    }
    const next = Math.max(this.nextFree.get(channel) ?? now, now);
    this.nextFree.set(channel, next + this.intervalMs);
    const startsAt = next - this.burstMs;
    if (startsAt <= now) {
      this.forgetPast(now);
      return 0;
    }
    this.reserved.set(key, startsAt);
    return Math.ceil(startsAt - now);
  }

  /** Channels quiet long enough are as good as unseen, and turns never claimed expire: memory stays bounded. */
  private forgetPast(now: number): void {
    if (this.nextFree.size + this.reserved.size < 1_000) return;
    for (const [channel, at] of this.nextFree) if (at <= now) this.nextFree.delete(channel);
    for (const [key, at] of this.reserved) if (at + UNCLAIMED_TURN_MS <= now) this.reserved.delete(key);
  }

  get size(): { channels: number; reserved: number } {
    return { channels: this.nextFree.size, reserved: this.reserved.size };
  }
}

/** A turn its post did not come back for (it was delivered elsewhere, or failed) lapses after this. */
const UNCLAIMED_TURN_MS = 10 * 60_000;
