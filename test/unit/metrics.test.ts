import { validateSettingsForm } from '../../src/accounts/form';
import { csatInteractive, csatScore, parseCsatSurvey } from '../../src/domain/csat';
import { csvCell, csvRecord, UTF8_BOM } from '../../src/domain/csv';
import {
  dateRange,
  dayStart,
  formatDuration,
  localDate,
  parsePeriod,
  periodSpan,
  quantile,
  summarizeCsat,
  summarizeDurations,
  yesterdaySpan,
  EXPORT_MAX_DAYS,
} from '../../src/domain/metrics';
import { parseCsv } from '../helpers/csv-parse';

const MIN = 60_000;

describe('quantiles', () => {
  it('are nearest-rank values of what was measured', () => {
    expect(quantile([], 0.5)).toBeUndefined();
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2);
    const ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    expect(quantile(ten, 0.5)).toBe(5);
    expect(quantile(ten, 0.9)).toBe(9);
    expect(summarizeDurations([...ten, 100])).toEqual({ count: 11, medianMs: 6, p90Ms: 10 });
  });

  it('say durations the way people do', () => {
    expect(formatDuration(undefined)).toBe('–');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(12 * MIN)).toBe('12m');
    expect(formatDuration(185 * MIN)).toBe('3h 05m');
    expect(formatDuration(52 * 60 * MIN)).toBe('2d 4h');
  });

  it('summarise CSAT, ignoring scores outside the scale', () => {
    expect(summarizeCsat([5, 4, 4, 1, 9, 0], 5)).toEqual({ count: 4, average: 3.5, distribution: [1, 0, 0, 2, 1] });
    expect(summarizeCsat([], 3)).toEqual({ count: 0, distribution: [0, 0, 0] });
  });
});

describe('periods', () => {
  it('parse 7d and 30d only', () => {
    expect(parsePeriod('7D')).toBe('7d');
    expect(parsePeriod('30')).toBe('30d');
    expect(parsePeriod('14d')).toBeUndefined();
    expect(parsePeriod(undefined)).toBeUndefined();
  });

  it('begin at midnight in the zone asked for, across the date line from UTC', () => {
    // 23:30 UTC on 5 Jan is already 6 Jan 06:30 in Jakarta (UTC+7).
    const now = new Date('2026-01-05T23:30:00Z');
    expect(localDate(now, 'Asia/Jakarta')).toBe('2026-01-06');
    expect(dayStart(now, 'Asia/Jakarta')).toEqual(new Date('2026-01-05T17:00:00Z'));
    expect(dayStart(now, 'UTC')).toEqual(new Date('2026-01-05T00:00:00Z'));
    expect(periodSpan('7d', now, 'Asia/Jakarta')).toEqual({ start: new Date('2025-12-30T17:00:00Z'), end: now });
    expect(periodSpan('30d', now, 'Asia/Makassar').start).toEqual(new Date('2025-12-07T16:00:00Z'));
    expect(yesterdaySpan(now, 'Asia/Jakarta')).toEqual({ start: new Date('2026-01-04T17:00:00Z'), end: new Date('2026-01-05T17:00:00Z') });
  });

  it('keep whole days across a daylight-saving change', () => {
    // New York moved its clocks forward on 8 Mar 2026: that day had 23 hours.
    const now = new Date('2026-03-09T15:00:00Z');
    const y = yesterdaySpan(now, 'America/New_York');
    expect(y.start).toEqual(new Date('2026-03-08T05:00:00Z'));
    expect(y.end).toEqual(new Date('2026-03-09T04:00:00Z'));
  });

  it('take export ranges of whole days, refusing bad ones', () => {
    const now = new Date('2026-01-10T03:00:00Z');
    expect(dateRange('2026-01-01', '2026-01-02', now, 'Asia/Jakarta')).toEqual({
      span: { start: new Date('2025-12-31T17:00:00Z'), end: new Date('2026-01-02T17:00:00Z') },
      days: 2,
    });
    expect(dateRange(undefined, '2026-01-02', now, 'UTC')).toEqual({ problem: 'missing' });
    expect(dateRange('2026-01-03', '2026-01-02', now, 'UTC')).toEqual({ problem: 'reversed' });
    expect(dateRange('2025-01-01', '2026-01-02', now, 'UTC')).toEqual({ problem: 'too_long' });
    expect(dateRange('2026-01-11', '2026-01-12', now, 'UTC')).toEqual({ problem: 'future' });
    const longest = new Date(Date.UTC(2026, 0, 10 - EXPORT_MAX_DAYS + 1)).toISOString().slice(0, 10);
    expect(dateRange(longest, '2026-01-10', now, 'UTC')).toMatchObject({ days: EXPORT_MAX_DAYS });
  });
});

describe('CSV', () => {
  it('round-trips through an RFC 4180 reader with names, emoji, quotes and line breaks intact', () => {
    const rows = [
      ['time', 'customer', 'note'],
      ['2026-01-05 10:00', 'Siti Nurhaliza 🌸', 'said "halo", then left'],
      ['2026-01-05 11:00', 'Budi, Jr.', 'line one\r\nline two'],
      ['', 'Ñoño Đặng 👨‍👩‍👧', ''],
    ];
    const text = rows.map(csvRecord).join('');
    expect(parseCsv(text)).toEqual(rows);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(UTF8_BOM).toBe('\uFEFF');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    for (const evil of ['=HYPERLINK("http://x","y")', '+62812+cmd|\' /C calc\'!A0', '+1', '-1+1', '@SUM(A1)', '\tx', '\rx']) {
      const cell = parseCsv(csvRecord([evil]))[0]?.[0];
      expect(cell).toBe(`'${evil}`);
    }
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('+6281234567890')).toBe('+6281234567890');
    expect(csvCell(undefined)).toBe('');
  });
});

describe('the satisfaction survey', () => {
  it('takes three to five distinct answers of up to 20 characters, one a line', () => {
    expect(parseCsatSurvey(' How did we do? ', 'Bad\nOK\r\n\nGreat 😀\n')).toEqual({ survey: { question: 'How did we do?', options: ['Bad', 'OK', 'Great 😀'] } });
    expect(parseCsatSurvey('', 'a\nb')).toEqual({ problems: ['question_missing', 'too_few'] });
    expect(parseCsatSurvey('q', 'a\nb\nc\nd\ne\nf')).toEqual({ problems: ['too_many'] });
    expect(parseCsatSurvey('q', `a\nb\n${'x'.repeat(21)}`)).toEqual({ problems: ['option_too_long'] });
    expect(parseCsatSurvey('q', 'a\nB\nb')).toEqual({ problems: ['duplicate'] });
  });

  it('uses reply buttons for three answers (WhatsApp allows three) and a list for more', () => {
    expect(csatInteractive({ question: 'q', options: ['a', 'b', 'c'] }, 'Choose')).toMatchObject({ type: 'button', action: { buttons: [{ reply: { id: 'csat:1' } }, {}, { reply: { id: 'csat:3', title: 'c' } }] } });
    expect(csatInteractive({ question: 'q', options: ['a', 'b', 'c', 'd'] }, 'Choose')).toMatchObject({ type: 'list', action: { button: 'Choose', sections: [{ rows: [{ id: 'csat:1' }, {}, {}, { id: 'csat:4', title: 'd' }] }] } });
  });

  it('reads a score only from its own reply ids', () => {
    expect(csatScore('csat:4')).toBe(4);
    expect(csatScore('csat:9')).toBeUndefined();
    expect(csatScore('cancel-button')).toBeUndefined();
    expect(csatScore(undefined)).toBeUndefined();
  });

  it('is checked in the Settings form: both fields empty is no survey, a bad one is said on its field', () => {
    const base = { name: 'Sales', enabled: 'on', channelId: 'C0SALES' };
    expect(validateSettingsForm(base)).toMatchObject({ ok: true, value: { csat: null } });
    expect(validateSettingsForm({ ...base, csatQuestion: 'Puas?', csatOptions: 'Tidak\nBiasa\nYa' })).toMatchObject({ ok: true, value: { csat: { question: 'Puas?', options: ['Tidak', 'Biasa', 'Ya'] } } });
    expect(validateSettingsForm({ ...base, csatQuestion: 'Puas?', csatOptions: 'Ya' })).toEqual({ ok: false, errors: { csat_options: { code: 'csat', params: { problem: 'too_few' } } } });
  });
});
