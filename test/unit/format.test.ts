import { formatDateTime, formatMoney, formatTime, knownTimeZone } from '../../src/domain/format';
import { strings } from '../../src/i18n';

const id = strings('id').conversations.intl;
const en = strings('en').conversations.intl;
/** 14:30 in Jakarta. */
const at = new Date('2026-03-04T07:30:00Z');

describe('times', () => {
  it.each([
    ['Asia/Jakarta', '14.30 WIB', '14:30 GMT+7'],
    ['Asia/Pontianak', '14.30 WIB', '14:30 GMT+7'],
    ['Asia/Makassar', '15.30 WITA', '15:30 GMT+8'],
    ['Asia/Jayapura', '16.30 WIT', '16:30 GMT+9'],
    ['UTC', '07.30 UTC', '07:30 UTC'],
  ])('in %s read %s in Indonesian and %s in English', (zone, indonesian, english) => {
    expect(formatTime(at, id, zone)).toBe(indonesian);
    expect(formatTime(at, en, zone)).toBe(english);
  });

  it('shows the day with the time, each language in its own order and separators', () => {
    expect(formatDateTime(at, id, 'Asia/Jakarta')).toBe('4 Mar 2026, 14.30 WIB');
    expect(formatDateTime(at, id, 'Asia/Makassar')).toBe('4 Mar 2026, 15.30 WITA');
    expect(formatDateTime(at, id, 'Asia/Jayapura')).toBe('4 Mar 2026, 16.30 WIT');
    expect(formatDateTime(at, en, 'Asia/Jakarta')).toBe('4 Mar 2026, 14:30 GMT+7');
    // Late in the evening in Jayapura is already tomorrow there, and not yet in Jakarta.
    const evening = new Date('2026-03-04T15:30:00Z');
    expect(formatDateTime(evening, id, 'Asia/Jayapura')).toBe('5 Mar 2026, 00.30 WIT');
    expect(formatDateTime(evening, id, 'Asia/Jakarta')).toBe('4 Mar 2026, 22.30 WIB');
  });

  it('takes a zone from Slack only when Intl knows it', () => {
    expect(knownTimeZone('Asia/Makassar')).toBe('Asia/Makassar');
    expect(knownTimeZone('Mars/Olympus')).toBeUndefined();
    expect(knownTimeZone('')).toBeUndefined();
    expect(knownTimeZone(undefined)).toBeUndefined();
  });
});

describe('money', () => {
  it('writes rupiah as Indonesians do, and as English readers expect', () => {
    expect(formatMoney(150000, 'IDR', id)).toBe('Rp150.000');
    expect(formatMoney(150000, 'IDR', en)).toBe('IDR\u00a0150,000');
    expect(formatMoney(1250000, 'idr', id)).toBe('Rp1.250.000');
  });

  it('writes other currencies with their own decimals, in the reader’s separators', () => {
    expect(formatMoney(12.5, 'USD', id)).toBe('US$12,50');
    expect(formatMoney(12.5, 'USD', en)).toBe('US$12.50');
    expect(formatMoney(1500, 'JPY', id)).toBe('JP¥1.500');
    expect(formatMoney(19.9, 'SGD', id)).toBe('SGD\u00a019,90');
  });

  it('never rounds a price away', () => {
    expect(formatMoney(150000.5, 'IDR', id)).toBe('Rp150.000,5');
    expect(formatMoney(1.005, 'USD', en)).toBe('US$1.005');
  });

  it.each(Intl.supportedValuesOf('currency'))('formats %s in both languages with the amount and the currency', (code) => {
    for (const intl of [id, en]) {
      const text = formatMoney(1234.5, code, intl);
      expect(text).toMatch(intl === id ? /1\.234,5/ : /1,234\.5/);
      expect(text).not.toBe(formatMoney(1234.5, code === 'USD' ? 'EUR' : 'USD', intl));
    }
  });

  it('shows a currency code Intl cannot take as WhatsApp sent it', () => {
    expect(formatMoney(150000, 'RUPIAH', id)).toBe('150.000 RUPIAH');
    expect(formatMoney(150000, '', en)).toBe('150,000');
  });
});
