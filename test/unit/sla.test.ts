import fc from 'fast-check';
import { awayReplyView, combinedView, slaBreachView, slaSettingsModal, slaWarningView } from '../../src/bot/views/sla';
import { windowWarningView } from '../../src/bot/views/window';
import { parseHoursText } from '../../src/domain/business-hours';
import { DEFAULT_TARGETS, slaDue, slaMoments, targetFor, userGroupId } from '../../src/domain/sla';
import { strings, type Locale } from '../../src/i18n';
import { AWAY_REPLY_MAX, slaFormValues, slaSettingsOf, validateSlaForm } from '../../src/sla/settings';
import { messageProblems, viewProblems } from '../fakes/block-kit';

const M = 60_000;
const t0 = new Date('2026-01-05T03:00:00Z'); // Monday 10:00 WIB

describe('response target rules', () => {
  it('warns at target minus the warning and breaches at the target, in business time', () => {
    const office = parseHoursText('Mon-Fri 08:00-17:00');
    if (!office.ok) throw new Error('hours');
    const hours = { timeZone: 'Asia/Jakarta', ranges: office.ranges, holidays: [] };
    const late = new Date('2026-01-05T09:55:00Z'); // 16:55 WIB
    const m = slaMoments(hours, DEFAULT_TARGETS, late, 'first');
    expect(m.warnAt).toEqual(new Date('2026-01-06T01:05:00Z')); // Tuesday 08:05 WIB
    expect(m.dueAt).toEqual(new Date('2026-01-06T01:10:00Z'));
    expect(slaMoments(undefined, DEFAULT_TARGETS, t0, 'next')).toEqual({ warnAt: new Date(t0.getTime() + 55 * M), dueAt: new Date(t0.getTime() + 60 * M) });
    // No room to warn in.
    expect(slaMoments(undefined, { ...DEFAULT_TARGETS, warnMinutes: 15 }, t0, 'first').warnAt).toBeUndefined();
  });

  it('says what is due at each boundary, once', () => {
    const m = slaMoments(undefined, DEFAULT_TARGETS, t0, 'first');
    const at = (min: number, ms = 0) => new Date(t0.getTime() + min * M + ms);
    expect(slaDue(m, { warned: false, breached: false }, at(10, -1))).toEqual({ warn: false, breach: false, nextCheckAt: at(10) });
    expect(slaDue(m, { warned: false, breached: false }, at(10))).toEqual({ warn: true, breach: false, nextCheckAt: at(15) });
    expect(slaDue(m, { warned: true, breached: false }, at(15, -1))).toEqual({ warn: false, breach: false, nextCheckAt: at(15) });
    expect(slaDue(m, { warned: true, breached: false }, at(15))).toEqual({ warn: false, breach: true });
    // Both passed in one sweep (downtime): the escalation alone.
    expect(slaDue(m, { warned: false, breached: false }, at(30))).toEqual({ warn: false, breach: true });
    expect(slaDue(m, { warned: true, breached: true }, at(30))).toEqual({ warn: false, breach: false });
  });

  it('never warns or breaches twice, whatever the order of sweeps', () => {
    const m = slaMoments(undefined, DEFAULT_TARGETS, t0, 'first');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 * M }), { maxLength: 12 }), (offsets) => {
        let progress = { warned: false, breached: false };
        let warns = 0;
        let breaches = 0;
        for (const o of [...offsets].sort((a, b) => a - b)) {
          const due = slaDue(m, progress, new Date(t0.getTime() + o));
          warns += due.warn ? 1 : 0;
          breaches += due.breach ? 1 : 0;
          progress = { warned: progress.warned || due.warn || due.breach, breached: progress.breached || due.breach };
        }
        expect(warns).toBeLessThanOrEqual(1);
        expect(breaches).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('picks the first target for new and reopened-from-resolved conversations', () => {
    expect(targetFor({ reopenedFromResolved: false })).toBe('first');
    expect(targetFor({ lastReplyAt: t0, reopenedFromResolved: true })).toBe('first');
    expect(targetFor({ lastReplyAt: t0, reopenedFromResolved: false })).toBe('next');
  });

  it('reads user groups as IDs or mentions', () => {
    expect(userGroupId('S0LEADS1')).toBe('S0LEADS1');
    expect(userGroupId('<!subteam^S0LEADS1|@support-leads>')).toBe('S0LEADS1');
    expect(userGroupId('<!subteam^S0LEADS1>')).toBe('S0LEADS1');
    expect(userGroupId('@support-leads')).toBeUndefined();
    expect(userGroupId('U0AGENT')).toBeUndefined();
  });
});

describe('settings', () => {
  it('gives an account without settings the defaults and no hours (always open)', () => {
    expect(slaSettingsOf({})).toEqual({ targets: DEFAULT_TARGETS, escalation: {} });
    expect(slaFormValues({})).toMatchObject({ timeZone: 'Asia/Jakarta', first: '15', next: '60', warn: '5', hours: '' });
  });

  it('round-trips the form', () => {
    const v = { timeZone: 'Asia/Jayapura', hours: 'Mon 08:00-12:00, 13:00-17:00\nSun 22:00-02:00', holidays: '2026-08-17', first: '20', next: '90', warn: '0', userGroup: 'S0ABC', awayReply: 'Back soon' };
    const ok = validateSlaForm(v);
    if (!ok.ok) throw new Error(JSON.stringify(ok.errors));
    const stored = { businessHours: ok.value.businessHours, responseTargets: ok.value.responseTargets, escalation: ok.value.escalation, awayReply: ok.value.awayReply };
    expect(slaFormValues(stored)).toEqual({ ...v, userGroup: '<!subteam^S0ABC>', escalationChannel: '' });
  });

  it('refuses an away reply over its limit and empty required fields', () => {
    const bad = validateSlaForm({ timeZone: '', first: '', next: '60', warn: '5', awayReply: 'x'.repeat(AWAY_REPLY_MAX + 1) });
    expect(bad).toEqual({ ok: false, errors: { sla_time_zone: { code: 'required' }, sla_first: { code: 'required' }, sla_away_reply: { code: 'too_long', max: AWAY_REPLY_MAX } } });
  });
});

describe('views within Block Kit limits, in both languages', () => {
  const locales: Locale[] = ['en', 'id'];
  it.each(locales)('%s: warning, breach, combined, away reply and the modal, with the longest values', (locale) => {
    const t = strings(locale);
    const s = t.sla;
    const longName = '&<>'.repeat(400);
    const warning = slaWarningView(s, { assignee: 'U0AGENT', target: 'first', minutes: 15, dueAt: t0, timeZone: 'Asia/Jakarta' });
    const window = windowWarningView(t.window, { closesAt: new Date(t0.getTime() + 30 * M), now: t0, timeZone: 'UTC' });
    const breach = slaBreachView(s, { mention: '<!subteam^S0LEADS>', target: 'next', minutes: 60, inThread: false, customerName: longName, customerHandle: '+62 812', channelId: 'C0SHOP', threadTs: '1.2' });
    const away = awayReplyView(s, { text: `${'<b>'.repeat(AWAY_REPLY_MAX / 3)}`, opensAt: t0, timeZone: 'Asia/Jakarta' });
    for (const m of [warning, combinedView(warning, window), breach, away]) expect(messageProblems({ ...m })).toEqual([]);
    expect(breach.text).not.toContain('<b>');
    expect(away.text).not.toContain('<b>');
    const modal = slaSettingsModal(t, {
      accountName: longName,
      privateMetadata: '{}',
      values: { timeZone: 'Asia/Jakarta', hours: 'x'.repeat(2000), holidays: 'y'.repeat(2000), first: '15', next: '60', warn: '5', awayReply: 'z'.repeat(AWAY_REPLY_MAX) },
    });
    expect(viewProblems(modal)).toEqual([]);
  });
});
