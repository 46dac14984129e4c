import { ChannelPacer } from '../../src/outbox/pacing';

describe('ChannelPacer', () => {
  let now = 0;
  const pacer = (limits = { perSecond: 1, burst: 3 }) => new ChannelPacer(limits, () => now);
  beforeEach(() => (now = 0));

  it('lets a burst through at once, then one post per interval, each waiting post with a turn of its own', () => {
    const p = pacer();
    expect(['a', 'b', 'c'].map((k) => p.take('C1', k))).toEqual([0, 0, 0]);
    expect(['d', 'e', 'f'].map((k) => p.take('C1', k))).toEqual([1_000, 2_000, 3_000]);
    now = 1_000;
    expect(p.take('C1', 'd')).toBe(0);
    expect(p.take('C1', 'e')).toBe(1_000);
    // A newcomer queues behind the turns already given.
    expect(p.take('C1', 'g')).toBe(3_000);
    now = 3_000;
    expect(['e', 'f'].map((k) => p.take('C1', k))).toEqual([0, 0]);
  });

  it('paces each channel on its own', () => {
    const p = pacer({ perSecond: 1, burst: 1 });
    expect(p.take('C1', 'a')).toBe(0);
    expect(p.take('C1', 'b')).toBe(1_000);
    expect(p.take('C2', 'c')).toBe(0);
    expect(p.take('D1', 'd')).toBe(0);
  });

  it('refills a quiet channel up to the burst, never beyond', () => {
    const p = pacer({ perSecond: 2, burst: 2 });
    expect(['a', 'b', 'c'].map((k) => p.take('C1', k))).toEqual([0, 0, 500]);
    now = 60_000;
    expect(['d', 'e', 'f'].map((k) => p.take('C1', k))).toEqual([0, 0, 500]);
  });

  it('keeps memory bounded: quiet channels and turns nobody came back for are dropped', () => {
    const p = pacer({ perSecond: 1, burst: 1 });
    let largest = 0;
    for (let i = 0; i < 5_000; i++) {
      p.take(`C${i}`, `goes-${i}`);
      p.take(`C${i}`, `never-back-${i}`);
      largest = Math.max(largest, p.size.channels + p.size.reserved);
      now += 1_000;
    }
    // Without forgetting, 5,000 channels and 5,000 turns would be held.
    expect(largest).toBeLessThanOrEqual(1_001);
  });
});
