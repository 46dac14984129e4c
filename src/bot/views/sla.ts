import type { types } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { SlaTarget } from '../../domain/sla';
import type { Strings } from '../../i18n';
import { AWAY_REPLY_MAX, SLA_FIELDS, type SlaField, type SlaFormErrors, type SlaFormValues, type SlaProblem } from '../../sla/settings';
import { escapeMrkdwn, slackDate, type SlackMessage } from './conversations';
import { clamp, plainText, sections, SLACK_LIMITS, viewTitle } from './limits';
import { threadLink } from './window';

type KnownBlock = types.KnownBlock;
type S = Strings['sla'];

/**
 * Pure Block Kit builders for business hours and response targets: the thread's SLA warning and
 * breach escalation, the away reply as shown in the thread, and the "Business hours & targets" modal.
 */

export const SLA_ACTIONS = {
  /** In the account's Settings modal; value = account id. */
  open: 'sla.settings.open',
} as const;
export const SLA_VIEWS = { settings: 'sla.settings' } as const;
const INPUT_ACTION = 'value';

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clamp(text, SLACK_LIMITS.sectionText) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clamp(text, SLACK_LIMITS.contextText) }] });

/** The assignee, or the whole channel when nobody has the conversation. */
export function slaMention(assignee: string | undefined): string {
  return assignee && /^[UW][A-Z0-9]+$/.test(assignee) ? `<@${assignee}>` : '<!channel>';
}

export function userGroupMention(id: string): string {
  return `<!subteam^${id}>`;
}

export interface SlaWarningData {
  assignee?: string;
  target: SlaTarget;
  minutes: number;
  dueAt: Date;
  timeZone: string;
}

/** Posted in the thread before a target is breached. */
export function slaWarningView(s: S, d: SlaWarningData): SlackMessage {
  const text = s.warning(slaMention(d.assignee), s.targetName[d.target], s.minutes(d.minutes), slackDate(d.dueAt, s.intl, d.timeZone));
  return { text, blocks: [section(`:stopwatch: ${text}`)] };
}

/** Two warnings due together, as one message: one notification, one thing to read. */
export function combinedView(first: SlackMessage, second: SlackMessage): SlackMessage {
  return { text: `${first.text}\n${second.text}`, blocks: [...(first.blocks ?? []), ...(second.blocks ?? [])] };
}

export interface BreachData {
  /** Who is told: the user group, else the assignee or the channel. */
  mention: string;
  target: SlaTarget;
  minutes: number;
  /** Posted in the escalation channel (a link back) or in the thread itself. */
  inThread: boolean;
  customerName?: string;
  customerHandle: string;
  channelId?: string;
  threadTs?: string;
}

/** The escalation of a breached target. */
export function slaBreachView(s: S, d: BreachData): SlackMessage {
  const target = s.targetName[d.target];
  if (d.inThread) {
    const text = s.breachInThread(d.mention, target, s.minutes(d.minutes));
    return { text, blocks: [section(`:rotating_light: ${text}`)] };
  }
  const customer = `*${escapeMrkdwn(d.customerName?.trim() || d.customerHandle)}*`;
  const text = s.breach(d.mention, target, s.minutes(d.minutes), customer);
  const link = d.channelId && d.threadTs ? threadLink(d.channelId, d.threadTs) : undefined;
  return {
    text,
    blocks: [
      section(`:rotating_light: ${text}`),
      ...(link ? [{ type: 'actions', elements: [{ type: 'button', text: plainText(s.openThread, SLACK_LIMITS.buttonText), url: link }] } as KnownBlock] : []),
    ],
  };
}

/** The away reply as the thread shows it: sent by wadesk, not by an agent. */
export function awayReplyView(s: S, d: { text: string; opensAt?: Date; timeZone: string }): SlackMessage {
  const label = d.opensAt ? s.awaySent(slackDate(d.opensAt, s.intl, d.timeZone)) : s.awaySentNoOpening;
  const quoted = escapeMrkdwn(d.text)
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
  return { text: `${label}\n${quoted}`, blocks: [context(label), ...sections(quoted)] };
}

/** The thread root's line while the team is away. */
export function awayHeaderLine(s: S, opensAt: Date | undefined, timeZone: string): string {
  return `:crescent_moon: ${opensAt ? s.headerAway(slackDate(opensAt, s.intl, timeZone)) : s.headerAwayNoOpening}`;
}

export function slaProblemText(s: S, p: SlaProblem): string {
  const m = s.problems;
  switch (p.code) {
    case 'required':
      return m.required;
    case 'too_long':
      return m.tooLong(p.max);
    case 'invalid_time_zone':
      return m.invalidTimeZone;
    case 'bad_line':
      return m.badLine(p.line);
    case 'bad_day':
      return m.badDay(p.line);
    case 'bad_time':
      return m.badTime(p.line);
    case 'empty_range':
      return m.emptyRange(p.line);
    case 'overlap':
      return m.overlap(p.line);
    case 'bad_holiday':
      return m.badHoliday(p.value);
    case 'too_many_holidays':
      return m.tooManyHolidays(p.max);
    case 'not_minutes':
      return m.notMinutes(p.min, p.max);
    case 'warn_too_late':
      return m.warnTooLate;
    case 'bad_user_group':
      return m.badUserGroup;
  }
}

/** `response_action: errors` for the modal: each problem on its field. */
export function slaFormErrors(s: S, errors: SlaFormErrors): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, problem]) => [field, slaProblemText(s, problem as SlaProblem)]));
}

function input(
  field: SlaField,
  label: string,
  opts: { hint?: string; initial?: string; optional?: boolean; multiline?: boolean; maxLength?: number },
): KnownBlock {
  return {
    type: 'input',
    block_id: field,
    label: plainText(label, SLACK_LIMITS.inputLabel),
    optional: opts.optional ?? false,
    ...(opts.hint ? { hint: plainText(opts.hint, SLACK_LIMITS.inputLabel) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: INPUT_ACTION,
      ...(opts.multiline ? { multiline: true } : {}),
      ...(opts.initial ? { initial_value: opts.initial } : {}),
      ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
    },
  };
}

export interface SlaModalData {
  accountName: string;
  privateMetadata: string;
  values: SlaFormValues;
}

/** "Business hours & targets" of one account (pushed on Settings): about a dozen blocks, far within a modal's 100. */
export function slaSettingsModal(t: Strings, d: SlaModalData): ModalView {
  const s = t.sla;
  const m = s.modal;
  const v = d.values;
  const channel: KnownBlock = {
    type: 'input',
    block_id: SLA_FIELDS.escalationChannel,
    label: plainText(m.escalationChannel, SLACK_LIMITS.inputLabel),
    hint: plainText(m.escalationChannelHint, SLACK_LIMITS.inputLabel),
    optional: true,
    element: {
      type: 'conversations_select',
      action_id: INPUT_ACTION,
      ...(v.escalationChannel ? { initial_conversation: v.escalationChannel } : {}),
      filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
    },
  };
  return {
    type: 'modal',
    callback_id: SLA_VIEWS.settings,
    private_metadata: d.privateMetadata,
    title: viewTitle(m.title),
    submit: plainText(m.submit, SLACK_LIMITS.buttonText),
    close: plainText(t.common.cancel, SLACK_LIMITS.buttonText),
    blocks: [
      section(m.intro(escapeMrkdwn(d.accountName))),
      input(SLA_FIELDS.timeZone, m.timeZone, { hint: m.timeZoneHint, initial: v.timeZone, maxLength: 64 }),
      input(SLA_FIELDS.hours, m.hours, { hint: m.hoursHint, initial: v.hours, optional: true, multiline: true, maxLength: 2000 }),
      input(SLA_FIELDS.holidays, m.holidays, { hint: m.holidaysHint, initial: v.holidays, optional: true, multiline: true, maxLength: 2000 }),
      input(SLA_FIELDS.first, m.first, { hint: m.firstHint, initial: v.first, maxLength: 6 }),
      input(SLA_FIELDS.next, m.next, { hint: m.nextHint, initial: v.next, maxLength: 6 }),
      input(SLA_FIELDS.warn, m.warn, { hint: m.warnHint, initial: v.warn, maxLength: 6 }),
      channel,
      input(SLA_FIELDS.userGroup, m.userGroup, { hint: m.userGroupHint, initial: v.userGroup, optional: true, maxLength: 100 }),
      input(SLA_FIELDS.awayReply, m.awayReply, { hint: m.awayReplyHint, initial: v.awayReply, optional: true, multiline: true, maxLength: AWAY_REPLY_MAX }),
    ],
  };
}
