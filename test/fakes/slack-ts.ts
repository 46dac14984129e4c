/** Slack's message ts, as fakes hand them out: the seconds of now, then a sequence, so later messages sort later. */
export class SlackTimestamps {
  private last = { seconds: 0, n: 0 };

  next(): string {
    const seconds = Math.floor(Date.now() / 1000);
    this.last = seconds > this.last.seconds ? { seconds, n: 1 } : { seconds: this.last.seconds, n: this.last.n + 1 };
    return `${this.last.seconds}.${String(this.last.n).padStart(6, '0')}`;
  }
}
