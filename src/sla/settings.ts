import { z } from 'zod';
import {
  DEFAULT_TIME_ZONE,
  hoursText,
  isValidDate,
  isValidTimeZone,
  parseHoursText,
  type BusinessHours,
  type HoursTextProblem,
  type OpeningRange,
  type Weekday,
} from '../domain/business-hours';
import { DEFAULT_TARGETS, userGroupId, type ResponseTargets } from '../domain/sla';

/**
 * An account's business hours, response targets, escalation and away reply: read from the account
 * with their defaults, and the "Business hours & targets" form's validation. Pure: problems are codes
 * with parameters; the i18n layer turns them into sentences.
 */

export interface SlaSettings {
  /** Undefined: no hours set, always open (targets run around the clock, no away reply). */
  hours?: BusinessHours;
  targets: ResponseTargets;
  escalation: { channelId?: string; userGroupId?: string };
  awayReply?: string;
}

interface StoredAccount {
  businessHours?: { timeZone?: string | null; ranges?: { day?: number | null; start?: number | null; end?: number | null }[] | null; holidays?: string[] | null } | null;
  responseTargets?: { firstMinutes?: number | null; nextMinutes?: number | null; warnMinutes?: number | null } | null;
  escalation?: { channelId?: string | null; userGroupId?: string | null } | null;
  awayReply?: string | null;
}

export function slaSettingsOf(account: StoredAccount): SlaSettings {
  const h = account.businessHours;
  const ranges: OpeningRange[] = (h?.ranges ?? []).flatMap((r) =>
    typeof r.day === 'number' && typeof r.start === 'number' && typeof r.end === 'number' ? [{ day: r.day as Weekday, start: r.start, end: r.end }] : [],
  );
  const hours = h && ranges.length > 0 && h.timeZone && isValidTimeZone(h.timeZone) ? { timeZone: h.timeZone, ranges, holidays: [...(h.holidays ?? [])] } : undefined;
  const t = account.responseTargets;
  return {
    ...(hours ? { hours } : {}),
    targets: {
      firstMinutes: t?.firstMinutes ?? DEFAULT_TARGETS.firstMinutes,
      nextMinutes: t?.nextMinutes ?? DEFAULT_TARGETS.nextMinutes,
      warnMinutes: t?.warnMinutes ?? DEFAULT_TARGETS.warnMinutes,
    },
    escalation: {
      ...(account.escalation?.channelId ? { channelId: account.escalation.channelId } : {}),
      ...(account.escalation?.userGroupId ? { userGroupId: account.escalation.userGroupId } : {}),
    },
    ...(account.awayReply ? { awayReply: account.awayReply } : {}),
  };
}

/** The form's fields; each is also the block_id of its input in the modal. */
export const SLA_FIELDS = {
  timeZone: 'sla_time_zone',
  hours: 'sla_hours',
  holidays: 'sla_holidays',
  first: 'sla_first',
  next: 'sla_next',
  warn: 'sla_warn',
  escalationChannel: 'sla_escalation_channel',
  userGroup: 'sla_user_group',
  awayReply: 'sla_away_reply',
} as const;
export type SlaField = (typeof SLA_FIELDS)[keyof typeof SLA_FIELDS];

export type SlaFormValues = Partial<Record<keyof typeof SLA_FIELDS, string>>;

export type SlaProblem =
  | { code: 'required' }
  | { code: 'too_long'; max: number }
  | { code: 'invalid_time_zone' }
  | HoursTextProblem
  | { code: 'bad_holiday'; value: string }
  | { code: 'too_many_holidays'; max: number }
  | { code: 'not_minutes'; min: number; max: number }
  | { code: 'warn_too_late' }
  | { code: 'bad_user_group' };

export type SlaFormErrors = Partial<Record<SlaField, SlaProblem>>;

export interface SlaFormInput {
  businessHours: BusinessHours;
  responseTargets: ResponseTargets;
  escalation: { channelId?: string; userGroupId?: string };
  awayReply?: string;
}

export const AWAY_REPLY_MAX = 1024;
export const HOLIDAYS_MAX = 100;
const TARGET_MAX_MINUTES = 7 * 24 * 60;

const trimmed = (v: unknown) => (typeof v === 'string' ? v.trim() : v);
const minutes = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d{1,6}\s*$/.test(v) ? Number(v) : v === undefined || (typeof v === 'string' && v.trim() === '') ? undefined : NaN),
    z.number({ error: (issue) => (issue.input === undefined ? 'required' : 'not_minutes') }).int('not_minutes').min(min, 'not_minutes').max(max, 'not_minutes'),
  );

/** The form's values as stored, or the problems per field. */
export function validateSlaForm(values: SlaFormValues): { ok: true; value: SlaFormInput } | { ok: false; errors: SlaFormErrors } {
  const errors: SlaFormErrors = {};
  const timeZone = (values.timeZone ?? '').trim();
  if (!timeZone) errors[SLA_FIELDS.timeZone] = { code: 'required' };
  else if (!isValidTimeZone(timeZone)) errors[SLA_FIELDS.timeZone] = { code: 'invalid_time_zone' };

  const hours = parseHoursText(values.hours ?? '');
  if (!hours.ok) errors[SLA_FIELDS.hours] = hours.problem;

  const holidays = [...new Set((values.holidays ?? '').split(/[\s,;]+/).filter(Boolean))].sort();
  const badHoliday = holidays.find((d) => !isValidDate(d));
  if (badHoliday) errors[SLA_FIELDS.holidays] = { code: 'bad_holiday', value: badHoliday.slice(0, 20) };
  else if (holidays.length > HOLIDAYS_MAX) errors[SLA_FIELDS.holidays] = { code: 'too_many_holidays', max: HOLIDAYS_MAX };

  const numbers = z
    .object({ first: minutes(1, TARGET_MAX_MINUTES), next: minutes(1, TARGET_MAX_MINUTES), warn: minutes(0, TARGET_MAX_MINUTES) })
    .safeParse({ first: values.first, next: values.next, warn: values.warn });
  const bounds = { first: [1, TARGET_MAX_MINUTES], next: [1, TARGET_MAX_MINUTES], warn: [0, TARGET_MAX_MINUTES] } as const;
  if (!numbers.success) {
    for (const issue of numbers.error.issues) {
      const key = issue.path[0] as keyof typeof bounds;
      const field = SLA_FIELDS[key];
      if (errors[field]) continue;
      errors[field] = issue.message === 'required' ? { code: 'required' } : { code: 'not_minutes', min: bounds[key][0], max: bounds[key][1] };
    }
  } else if (numbers.data.warn > 0 && numbers.data.warn >= Math.min(numbers.data.first, numbers.data.next)) {
    errors[SLA_FIELDS.warn] = { code: 'warn_too_late' };
  }

  const group = trimmed(values.userGroup);
  const groupId = typeof group === 'string' && group ? userGroupId(group) : undefined;
  if (typeof group === 'string' && group && !groupId) errors[SLA_FIELDS.userGroup] = { code: 'bad_user_group' };

  const away = (values.awayReply ?? '').trim();
  if (away.length > AWAY_REPLY_MAX) errors[SLA_FIELDS.awayReply] = { code: 'too_long', max: AWAY_REPLY_MAX };

  if (Object.keys(errors).length > 0 || !hours.ok || !numbers.success) return { ok: false, errors };
  const channelId = (values.escalationChannel ?? '').trim();
  return {
    ok: true,
    value: {
      businessHours: { timeZone, ranges: hours.ranges, holidays },
      responseTargets: { firstMinutes: numbers.data.first, nextMinutes: numbers.data.next, warnMinutes: numbers.data.warn },
      escalation: { ...(channelId ? { channelId } : {}), ...(groupId ? { userGroupId: groupId } : {}) },
      ...(away ? { awayReply: away } : {}),
    },
  };
}

/** The form's values for an account's current settings. */
export function slaFormValues(account: StoredAccount): SlaFormValues {
  const s = slaSettingsOf(account);
  const stored = account.businessHours;
  return {
    timeZone: stored?.timeZone ?? DEFAULT_TIME_ZONE,
    hours: s.hours ? hoursText(s.hours.ranges) : '',
    holidays: (stored?.holidays ?? []).join('\n'),
    first: String(s.targets.firstMinutes),
    next: String(s.targets.nextMinutes),
    warn: String(s.targets.warnMinutes),
    escalationChannel: s.escalation.channelId ?? '',
    userGroup: s.escalation.userGroupId ? `<!subteam^${s.escalation.userGroupId}>` : '',
    awayReply: s.awayReply ?? '',
  };
}
