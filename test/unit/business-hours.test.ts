import fc from 'fast-check';
import {
  businessDeadline,
  businessElapsed,
  hoursText,
  isOpen,
  isValidDate,
  isValidTimeZone,
  localDate,
  nextClosing,
  nextOpening,
  overlappingRanges,
  parseHoursText,
  rangeMinutes,
  type BusinessHours,
} from '../../src/domain/business-hours';

const H = 60 * 60_000;
const M = 60_000;

function hours(text: string, timeZone = 'Asia/Jakarta', holidays: string[] = []): BusinessHours {
  const parsed = parseHoursText(text);
  if (!parsed.ok) throw new Error(`bad hours ${JSON.stringify(parsed.problem)}`);
  return { timeZone, ranges: parsed.ranges, holidays };
}

// 2026-12-07 is a Monday. Jakarta is UTC+7 all year (WIB).
const jkt = (iso: string) => new Date(`${iso}+07:00`);

describe('business hours: isOpen at its boundaries', () => {
  const office = hours('Mon-Fri 08:00-17:00');

  it('opens at the first minute and closes at the last (end exclusive), in the account zone', () => {
    expect(isOpen(office, jkt('2026-12-07T07:59:59'))).toBe(false);
    expect(isOpen(office, jkt('2026-12-07T08:00:00'))).toBe(true);
    expect(isOpen(office, jkt('2026-12-07T16:59:59'))).toBe(true);
    expect(isOpen(office, jkt('2026-12-07T17:00:00'))).toBe(false);
    // 08:00 WIB is 01:00 UTC: the same instant judged in UTC would be closed.
    expect(isOpen(office, new Date('2026-12-07T01:00:00Z'))).toBe(true);
    expect(isOpen({ ...office, timeZone: 'UTC' }, new Date('2026-12-07T01:00:00Z'))).toBe(false);
  });

  it('is closed on the weekend and on a holiday', () => {
    expect(isOpen(office, jkt('2026-12-12T10:00:00'))).toBe(false); // Saturday
    const withHoliday = { ...office, holidays: ['2026-12-25'] };
    expect(isOpen(withHoliday, jkt('2026-12-25T10:00:00'))).toBe(false);
    expect(isOpen(withHoliday, jkt('2026-12-24T10:00:00'))).toBe(true);
  });

  it('keeps a range across midnight open into the next day, on the day it starts', () => {
    const night = hours('Fri 22:00-02:00', 'Asia/Jakarta', ['2026-12-12']);
    expect(isOpen(night, jkt('2026-12-11T21:59:00'))).toBe(false);
    expect(isOpen(night, jkt('2026-12-11T22:00:00'))).toBe(true);
    expect(isOpen(night, jkt('2026-12-11T23:59:59'))).toBe(true);
    // Saturday is a holiday, but the range started on Friday.
    expect(isOpen(night, jkt('2026-12-12T00:00:00'))).toBe(true);
    expect(isOpen(night, jkt('2026-12-12T01:59:59'))).toBe(true);
    expect(isOpen(night, jkt('2026-12-12T02:00:00'))).toBe(false);
    // A holiday on Friday closes it.
    const fridayOff = { ...night, holidays: ['2026-12-11'] };
    expect(isOpen(fridayOff, jkt('2026-12-11T23:00:00'))).toBe(false);
    expect(isOpen(fridayOff, jkt('2026-12-12T01:00:00'))).toBe(false);
  });

  it('wraps Saturday night into Sunday morning', () => {
    const weekend = hours('Sat 20:00-24:00\nSun 00:00-06:00');
    expect(isOpen(weekend, jkt('2026-12-12T23:59:00'))).toBe(true);
    expect(isOpen(weekend, jkt('2026-12-13T00:00:00'))).toBe(true);
    expect(isOpen(weekend, jkt('2026-12-13T06:00:00'))).toBe(false);
    expect(nextClosing(weekend, jkt('2026-12-12T21:00:00'))).toEqual(jkt('2026-12-13T06:00:00'));
  });

  it('no hours means always open', () => {
    expect(isOpen(undefined, new Date())).toBe(true);
    expect(isOpen(hours(''), new Date())).toBe(true);
    expect(businessElapsed(undefined, new Date(0), new Date(H))).toBe(H);
  });
});

describe('business hours across time zones and DST', () => {
  it('follows the wall clock through a spring-forward gap (Europe/Amsterdam, 2026-03-29)', () => {
    const early = hours('Sun 02:30-04:00', 'Europe/Amsterdam');
    // 02:30 never happens that night: clocks jump from 02:00 CET to 03:00 CEST (01:00Z). It opens at the jump.
    expect(nextOpening(early, new Date('2026-03-29T00:00:00Z'))).toEqual(new Date('2026-03-29T01:00:00Z'));
    expect(isOpen(early, new Date('2026-03-29T00:59:00Z'))).toBe(false);
    expect(isOpen(early, new Date('2026-03-29T01:00:00Z'))).toBe(true);
    // It closes at 04:00 CEST = 02:00Z: one hour of business time, not one and a half.
    expect(businessElapsed(early, new Date('2026-03-29T00:00:00Z'), new Date('2026-03-29T05:00:00Z'))).toBe(H);
  });

  it('counts a repeated autumn hour by the instant (America/New_York, 2026-11-01)', () => {
    const night = hours('Sun 00:00-03:00', 'America/New_York');
    // 00:00 EDT (04:00Z) to 03:00 EST (08:00Z): four hours of real time.
    expect(businessElapsed(night, new Date('2026-11-01T00:00:00Z'), new Date('2026-11-02T00:00:00Z'))).toBe(4 * H);
  });

  it('judges the same instant differently in Jakarta, Makassar and Jayapura', () => {
    const at = new Date('2026-12-07T00:30:00Z'); // 07:30 WIB, 08:30 WITA, 09:30 WIT
    expect(isOpen(hours('Mon 08:00-17:00', 'Asia/Jakarta'), at)).toBe(false);
    expect(isOpen(hours('Mon 08:00-17:00', 'Asia/Makassar'), at)).toBe(true);
    expect(isOpen(hours('Mon 08:00-17:00', 'Asia/Jayapura'), at)).toBe(true);
  });

  it('reads local dates in the zone', () => {
    expect(localDate(new Date('2026-12-24T18:00:00Z'), 'Asia/Jakarta')).toBe('2026-12-25');
    expect(localDate(new Date('2026-12-24T18:00:00Z'), 'UTC')).toBe('2026-12-24');
  });
});

describe('business time: elapsed and deadlines', () => {
  const office = hours('Mon-Fri 08:00-17:00');

  it('pauses outside hours: a message on Friday 16:50 reaches 15 minutes on Monday 08:05', () => {
    const from = jkt('2026-12-11T16:50:00');
    expect(businessDeadline(office, from, 15 * M)).toEqual(jkt('2026-12-14T08:05:00'));
    expect(businessElapsed(office, from, jkt('2026-12-14T08:05:00'))).toBe(15 * M);
    expect(businessElapsed(office, from, jkt('2026-12-14T08:04:59'))).toBe(15 * M - 1000);
  });

  it('a message at night starts counting at opening', () => {
    expect(businessDeadline(office, jkt('2026-12-07T02:00:00'), 0)).toEqual(jkt('2026-12-07T08:00:00'));
    expect(nextOpening(office, jkt('2026-12-07T02:00:00'))).toEqual(jkt('2026-12-07T08:00:00'));
    expect(nextOpening(office, jkt('2026-12-07T09:00:00'))).toEqual(jkt('2026-12-07T09:00:00'));
    expect(nextClosing(office, jkt('2026-12-07T09:00:00'))).toEqual(jkt('2026-12-07T17:00:00'));
  });

  it('skips holidays, and never opens when every day is a holiday', () => {
    const xmas = { ...office, holidays: ['2026-12-25'] };
    expect(nextOpening(xmas, jkt('2026-12-24T18:00:00'))).toEqual(jkt('2026-12-28T08:00:00'));
    const sunOnly = hours('Sun 08:00-09:00');
    const sundaysOff = (n: number) => ({ ...sunOnly, holidays: Array.from({ length: n }, (_, i) => localDate(new Date(Date.UTC(2026, 11, 6 + 7 * i, 5)), 'Asia/Jakarta')) });
    expect(nextOpening(sundaysOff(20), jkt('2026-12-06T00:00:00'))).toEqual(jkt('2027-04-25T08:00:00'));
    // Beyond the look-ahead (400 days): never, and a deadline never comes.
    expect(nextOpening(sundaysOff(60), jkt('2026-12-06T00:00:00'))).toBeUndefined();
    expect(businessDeadline(sundaysOff(60), jkt('2026-12-06T00:00:00'), M)).toBeUndefined();
  });
});

describe('business time: properties', () => {
  const zones = ['Asia/Jakarta', 'Europe/Amsterdam', 'America/New_York', 'Australia/Lord_Howe', 'UTC'];
  const range = fc.record({
    day: fc.integer({ min: 0, max: 6 }),
    start: fc.integer({ min: 0, max: 1439 }),
    len: fc.integer({ min: 1, max: 18 * 60 }),
  });
  const arbHours = fc
    .record({ tz: fc.constantFrom(...zones), ranges: fc.array(range, { minLength: 1, maxLength: 5 }), holiday: fc.boolean() })
    .map(({ tz, ranges, holiday }): BusinessHours => {
      const rs = ranges.map((r) => ({ day: r.day as 0, start: r.start, end: (r.start + r.len) % 1440 || 1440 }));
      // Keep only a non-overlapping set, as the form would.
      const kept: typeof rs = [];
      for (const r of rs) if (!overlappingRanges([...kept, r])) kept.push(r);
      return { timeZone: tz, ranges: kept, holidays: holiday ? ['2026-03-29', '2026-11-01'] : [] };
    });
  const instant = fc.integer({ min: Date.UTC(2026, 2, 20), max: Date.UTC(2026, 10, 10) }).map((n) => new Date(Math.floor(n / 1000) * 1000));

  it('elapsed is additive and never more than wall time', () => {
    fc.assert(
      fc.property(arbHours, instant, instant, instant, (h, a, b, c) => {
        const [t1, t2, t3] = [a, b, c].sort((x, y) => x.getTime() - y.getTime()) as [Date, Date, Date];
        const e12 = businessElapsed(h, t1, t2);
        const e23 = businessElapsed(h, t2, t3);
        expect(e12 + e23).toBe(businessElapsed(h, t1, t3));
        expect(e12).toBeGreaterThanOrEqual(0);
        expect(e12).toBeLessThanOrEqual(t2.getTime() - t1.getTime());
      }),
      { numRuns: 60 },
    );
  });

  it('a deadline is reached exactly when that much business time has passed', () => {
    fc.assert(
      fc.property(arbHours, instant, fc.integer({ min: 1, max: 72 * 60 }), (h, from, minutes) => {
        // Hours so thin the target takes more than the look-ahead (400 days) are not this property's business.
        fc.pre(h.ranges.reduce((sum, r) => sum + rangeMinutes(r), 0) * 50 >= minutes);
        const deadline = businessDeadline(h, from, minutes * M);
        expect(deadline).toBeDefined();
        expect(businessElapsed(h, from, deadline!)).toBe(minutes * M);
        expect(businessElapsed(h, from, new Date(deadline!.getTime() - 1000))).toBeLessThan(minutes * M);
        // The team is at work at the moment before the deadline.
        expect(isOpen(h, new Date(deadline!.getTime() - 1000))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('next opening is open and nothing between is', () => {
    fc.assert(
      fc.property(arbHours, instant, (h, at) => {
        const next = nextOpening(h, at);
        expect(next).toBeDefined();
        expect(next!.getTime()).toBeGreaterThanOrEqual(at.getTime());
        expect(isOpen(h, next!)).toBe(true);
        expect(businessElapsed(h, at, next!)).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});

describe('hours text', () => {
  it('reads English and Indonesian days, several ranges, and writes them back', () => {
    const parsed = parseHoursText('Sen-Jum 08.00-12:00, 13:00-17:00\nsat 22:00-02:00');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.ranges).toHaveLength(11);
    expect(hoursText(parsed.ranges)).toBe(
      ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].map((d) => `${d} 08:00-12:00, 13:00-17:00`).concat('Sat 22:00-02:00').join('\n'),
    );
    const again = parseHoursText(hoursText(parsed.ranges));
    const order = (rs: { day: number; start: number }[]) => [...rs].sort((a, b) => a.day - b.day || a.start - b.start);
    expect(again.ok && order(again.ranges)).toEqual(order(parsed.ranges));
  });

  it.each([
    ['Mon 09:00-17:00\nMon 16:00-18:00', 'overlap', 2],
    ['Sat 22:00-06:00\nSun 05:00-08:00', 'overlap', 2],
    ['Fri 09:00-09:00', 'empty_range', 1],
    ['Funday 09:00-10:00', 'bad_day', 1],
    ['Mon 25:00-26:00', 'bad_time', 1],
    ['Mon 9-17', 'bad_time', 1],
    ['09:00-17:00', 'bad_line', 1],
  ])('refuses %j with %s on line %i', (text, code, line) => {
    expect(parseHoursText(text)).toEqual({ ok: false, problem: { code, line } });
  });

  it('validates zones and dates', () => {
    expect(isValidTimeZone('Asia/Jakarta')).toBe(true);
    expect(isValidTimeZone('Asia/Bandung')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2028-02-29')).toBe(true);
    expect(isValidDate('2026-13-01')).toBe(false);
    expect(isValidDate('25-12-2026')).toBe(false);
  });
});
