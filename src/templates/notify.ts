import { z } from 'zod';
import type { Deps } from '../context';
import { slackDate } from '../bot/views/conversations';
import { strings, type Strings } from '../i18n';
import { classifySlackError, enqueue, PermanentFailure, type OutboxHandler } from '../outbox';
import { postOnce } from '../outbox/slack';
import type { StoredTemplate } from '../store/templates';
import { userLocale } from '../bot/user';

export const TEMPLATE_NOTIFY = 'template.notify';

/** A change Meta announced that is not a review result: a new category (done or planned) or quality score. */
const changeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('category'), stage: z.enum(['done', 'planned']), from: z.string().optional(), to: z.string(), at: z.number().optional() }),
  z.object({ kind: z.literal('quality'), from: z.string().optional(), to: z.string() }),
]);
export type TemplateChange = z.infer<typeof changeSchema>;

const notifyPayload = z.object({
  userId: z.string().min(1),
  templateName: z.string(),
  language: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  accountName: z.string(),
  /** Absent in a review notice (and in those queued before changes were told). */
  change: changeSchema.optional(),
});
export type TemplateNotice = z.infer<typeof notifyPayload>;

/** The creator hears about approval or rejection; other statuses are visible in the list. */
export function isNotifiedStatus(status: string): boolean {
  return status === 'APPROVED' || status === 'REJECTED';
}

/** Stores the notice in the outbox; delivered later, retried while Slack is down. */
export async function enqueueTemplateNotice(
  deps: Pick<Deps, 'clock'>,
  template: StoredTemplate,
  accountName: string,
): Promise<void> {
  if (!isNotifiedStatus(template.status)) return;
  await enqueueNotice(deps, template, accountName, undefined);
}

/** Tells the template's creator about a category or quality change Meta announced. */
export async function enqueueTemplateChangeNotice(
  deps: Pick<Deps, 'clock'>,
  template: StoredTemplate,
  accountName: string,
  change: TemplateChange,
): Promise<void> {
  await enqueueNotice(deps, template, accountName, change);
}

async function enqueueNotice(
  deps: Pick<Deps, 'clock'>,
  template: StoredTemplate,
  accountName: string,
  change: TemplateChange | undefined,
): Promise<void> {
  // Templates imported from WhatsApp Manager have no creator here to tell.
  if (!template.createdBy) return;
  const now = deps.clock.now();
  const payload: TemplateNotice = {
    userId: template.createdBy,
    templateName: template.name,
    language: template.language,
    status: template.status,
    accountName,
    ...(template.rejectedReason ? { reason: template.rejectedReason } : {}),
    ...(change ? { change } : {}),
  };
  const what = change ? `${change.kind}:${change.to}` : template.status;
  await enqueue(
    [
      {
        // One notice per change; a webhook redelivered at the same instant is the same notice.
        key: `template.notify:${String(template._id)}:${what}:${now.getTime()}`,
        lane: `user:${template.createdBy}`,
        kind: TEMPLATE_NOTIFY,
        payload,
      },
    ],
    now,
  );
}

/** The notice's words in the creator's language. */
function noticeText(s: Strings, notice: TemplateNotice, timeZone: string): string {
  const change = notice.change;
  if (!change) return s.templates.notice(notice);
  const p = s.platform;
  const base = { templateName: notice.templateName, language: notice.language, accountName: notice.accountName };
  switch (change.kind) {
    case 'quality':
      return p.qualityChanged({ ...base, from: change.from, to: change.to });
    case 'category': {
      const from = change.from ?? p.unknownCategory;
      if (change.stage === 'done') return p.categoryChanged({ ...base, from, to: change.to });
      const when = change.at === undefined ? undefined : slackDate(new Date(change.at), p.intl, timeZone);
      return p.categoryPlanned({ ...base, from, to: change.to, ...(when ? { when } : {}) });
    }
  }
}

/** Outbox handlers for the template kinds; the service merges them into its handler table. */
export function templateOutboxHandlers(deps: Pick<Deps, 'slack' | 'slackPacer' | 'config' | 'logger'>): Record<string, OutboxHandler> {
  return {
    [TEMPLATE_NOTIFY]: async (raw, delivery) => {
      const parsed = notifyPayload.safeParse(raw);
      if (!parsed.success) throw new PermanentFailure('malformed template notice');
      const notice = parsed.data;
      try {
        const s = strings(await userLocale(deps.slack, deps, notice.userId));
        await postOnce(deps, { channel: notice.userId, text: noticeText(s, notice, deps.config.timeZone) }, delivery);
      } catch (err) {
        throw classifySlackError(err);
      }
    },
  };
}
