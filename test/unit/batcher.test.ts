import { Batcher } from '../../src/store/batcher';
import { silentUntilReleased } from '../helpers/held';

describe('Batcher', () => {
  it('calls at once for a quiet caller, and batches what arrives while a call is under way', async () => {
    const calls: number[][] = [];
    // The first call stays under way until the test has added the rest: no timing decides the batches.
    const first = silentUntilReleased();
    const batcher = new Batcher<number>(async (items) => {
      calls.push(items);
      if (calls.length === 1) await first.answer();
    });
    const pending = [1, 2, 3, 4].map((n) => batcher.add(n));
    first.release();
    await Promise.all(pending);
    expect(calls).toEqual([[1], [2, 3, 4]]);
  });

  it('fails every caller of a failed call, and only those', async () => {
    const batcher = new Batcher<string>(async (items) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (items.includes('bad')) throw new Error('refused');
    });
    const first = batcher.add('ok');
    const second = [batcher.add('bad'), batcher.add('also in the failed batch')];
    await expect(first).resolves.toBeUndefined();
    for (const p of second) await expect(p).rejects.toThrow('refused');
    await expect(batcher.add('after')).resolves.toBeUndefined();
  });

  it('keeps batches to the size given', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number>(async (items) => {
      sizes.push(items.length);
      await Promise.resolve();
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, n) => batcher.add(n)));
    expect(sizes).toEqual([1, 3, 3, 1]);
  });
});
