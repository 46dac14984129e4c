import { Batcher, uniqueInserts } from '../../src/store/batcher';
import { silentUntilReleased } from '../helpers/held';

describe('Batcher', () => {
  it('calls at once for a quiet caller, and batches what arrives while a call is under way', async () => {
    const calls: number[][] = [];
    // The first call stays under way until the test has added the rest: no timing decides the batches.
    const first = silentUntilReleased();
    const batcher = new Batcher<number, number>(async (items) => {
      calls.push(items);
      if (calls.length === 1) await first.answer();
      return items.map((n) => n * 10);
    });
    const pending = [1, 2, 3, 4].map((n) => batcher.add(n));
    first.release();
    const results = await Promise.all(pending);
    expect(calls).toEqual([[1], [2, 3, 4]]);
    // Each caller gets its own item's result.
    expect(results).toEqual([10, 20, 30, 40]);
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

  it('sends items added together in one call, even to a quiet batcher', async () => {
    const calls: string[][] = [];
    const batcher = new Batcher<string, string>(async (items) => {
      calls.push(items);
      return items.map((item) => item.toUpperCase());
    });
    expect(await batcher.addAll(['a', 'b', 'c'])).toEqual(['A', 'B', 'C']);
    expect(calls).toEqual([['a', 'b', 'c']]);
  });
});

describe('uniqueInserts', () => {
  /** What the driver throws for an unordered insert some of whose documents broke a unique index. */
  const duplicatesAt = (...indexes: number[]) =>
    Object.assign(new Error('E11000 duplicate key error'), { code: 11000, writeErrors: indexes.map((index) => ({ code: 11000, index })) });

  it('tells each document whether it was stored or refused as a duplicate', async () => {
    const inserts = uniqueInserts<string>(async (docs) => {
      if (docs.includes('taken')) throw duplicatesAt(docs.indexOf('taken'));
    });
    expect(await inserts.addAll(['new', 'taken', 'also new'])).toEqual([true, false, true]);
  });

  it('fails the whole batch on any other error', async () => {
    const inserts = uniqueInserts<string>(async () => {
      throw Object.assign(new Error('disk full'), { writeErrors: [{ code: 11000, index: 0 }, { code: 14031, index: 1 }] });
    });
    await expect(inserts.addAll(['a', 'b'])).rejects.toThrow('disk full');
  });
});
