/**
 * The worker's sleep between passes. A signal cuts it short, and so does one given while the
 * worker was awake (in a pass that began before the work was announced): that work must not
 * wait out the poll.
 */
export class Wakeup {
  private signalled = false;
  private wake: (() => void) | undefined;

  signal(): void {
    this.signalled = true;
    this.wake?.();
  }

  /** Resolves after `ms`, at a signal, or at once if signalled since the last sleep. */
  sleep(ms: number): Promise<void> {
    if (this.signalled) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.signalled = false;
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.wake = end;
    });
  }
}
