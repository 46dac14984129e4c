import { Types } from 'mongoose';
import { storedMixed, withoutUndefined } from '../../src/store/database';

// What mongoose stores of the same values is pinned against mongoose itself in test/integration/ingest-round-trips.test.ts.
describe('storedMixed', () => {
  it('leaves out undefined properties and objects left empty, but keeps array elements in place', () => {
    expect(storedMixed({ a: 1, gone: undefined, empty: {}, nested: { deeper: { undef: undefined } }, list: [{}, { undef: undefined }, undefined, null] })).toEqual({
      a: 1,
      list: [{}, {}, undefined, null],
    });
    expect(storedMixed({})).toBeUndefined();
    expect(storedMixed({ only: { empty: {} } })).toBeUndefined();
  });

  it('keeps dates, ObjectIds and buffers as they are, and the values of other types', () => {
    const at = new Date('2026-01-05T03:00:00Z');
    const id = new Types.ObjectId();
    const bytes = Buffer.from('x');
    const stored = storedMixed({ at, id, bytes, n: 0, f: false, s: '', none: null });
    expect(stored).toEqual({ at, id, bytes, n: 0, f: false, s: '', none: null });
    expect((stored as { at: unknown }).at).toBe(at);
    expect(storedMixed('text')).toBe('text');
  });

  it('copies, leaving the value it was given unchanged', () => {
    const value = { a: { b: undefined, c: 1 } };
    const stored = storedMixed(value);
    expect(value).toEqual({ a: { b: undefined, c: 1 } });
    expect(stored).not.toBe(value);
  });

  it("drops keys that name Object's own (a parsed body may carry them) at any depth, polluting nothing", () => {
    const parsed: unknown = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"c": 1}, "deep": {"prototype": 1, "__proto__": {"polluted": 2}, "kept": 1}}');
    const stored = storedMixed(parsed);
    expect(stored).toEqual({ deep: { kept: 1 } });
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('withoutUndefined', () => {
  it('removes the fields set to undefined, and only those, from the document itself', () => {
    const doc = { a: undefined, b: null, c: 0, d: false, e: '' };
    expect(withoutUndefined(doc)).toBe(doc);
    expect(Object.keys(doc)).toEqual(['b', 'c', 'd', 'e']);
  });
});
