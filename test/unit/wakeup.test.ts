import { Wakeup } from '../../src/outbox/wakeup';

describe('the outbox worker’s wake-up', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Whether the promise has resolved, once pending callbacks have run. */
  async function settled(promise: Promise<void>): Promise<boolean> {
    let done = false;
    void promise.then(() => (done = true));
    await jest.advanceTimersByTimeAsync(0);
    return done;
  }

  it('sleeps for the time given when nothing signals', async () => {
    const wakeup = new Wakeup();
    const sleep = wakeup.sleep(1_000);
    await jest.advanceTimersByTimeAsync(999);
    expect(await settled(sleep)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settled(sleep)).toBe(true);
  });

  it('wakes at a signal', async () => {
    const wakeup = new Wakeup();
    const sleep = wakeup.sleep(60_000);
    expect(await settled(sleep)).toBe(false);
    wakeup.signal();
    expect(await settled(sleep)).toBe(true);
  });

  it('does not sleep after a signal given while awake, and sleeps again after that', async () => {
    const wakeup = new Wakeup();
    // Work announced during a pass, before the worker goes to sleep.
    wakeup.signal();
    expect(await settled(wakeup.sleep(60_000))).toBe(true);
    // The signal was used up.
    expect(await settled(wakeup.sleep(60_000))).toBe(false);
  });

  it('does not carry a signal that woke it over to the next sleep', async () => {
    const wakeup = new Wakeup();
    const first = wakeup.sleep(60_000);
    wakeup.signal();
    expect(await settled(first)).toBe(true);
    expect(await settled(wakeup.sleep(60_000))).toBe(false);
  });
});
