import fc from 'fast-check';
import { splitText, WHATSAPP_LIMITS } from '../../src/conversations/format';

describe('splitText (WhatsApp text limit)', () => {
  it('leaves a text within the limit whole', () => {
    expect(splitText('a'.repeat(WHATSAPP_LIMITS.text))).toEqual(['a'.repeat(WHATSAPP_LIMITS.text)]);
  });

  it('cuts at a line break, then a space, then mid-word', () => {
    expect(splitText('one two\nthree four', 12)).toEqual(['one two', 'three four']);
    expect(splitText('alpha beta gamma', 12)).toEqual(['alpha beta', 'gamma']);
    expect(splitText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('never splits an emoji in two', () => {
    const pieces = splitText('a😀b', 2);
    expect(pieces).toEqual(['a', '😀', 'b']);
  });

  it('keeps every character but the whitespace at the cuts, in order, in pieces within the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '😀'), maxLength: 400 }), fc.integer({ min: 2, max: 60 }), (text, max) => {
        const pieces = splitText(text, max);
        expect(pieces.every((p) => p.length > 0 && p.length <= max)).toBe(true);
        // Only whitespace at the cuts is dropped.
        expect(pieces.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      }),
    );
  });
});
