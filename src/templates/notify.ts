import { z } from 'zod';
import type { Deps } from '../context';
import { strings } from '../i18n';
import { classifySlackError, enqueue, PermanentFailure, type OutboxHandler } from '../outbox';
import { postOnce } from '../outbox/slack';
import type { StoredTemplate } from '../store/templates';
import { userLocale } from '../bot/user';

export const TEMPLATE_NOTIFY = 'template.notify';

const notifyPayload = z.object({
  userId: z.string().min(1),
  templateName: z.string(),
  language: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  accountName: z.string(),
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
  if (!template.createdBy || !isNotifiedStatus(template.status)) return;
  const now = deps.clock.now();
  const payload: TemplateNotice = {
    userId: template.createdBy,
    templateName: template.name,
    language: template.language,
    status: template.status,
    accountName,
    ...(template.rejectedReason ? { reason: template.rejectedReason } : {}),
  };
  await enqueue(
    [
      {
        // One notice per status change; a webhook redelivered at the same instant is the same notice.
        key: `template.notify:${String(template._id)}:${template.status}:${now.getTime()}`,
        lane: `user:${template.createdBy}`,
        kind: TEMPLATE_NOTIFY,
        payload,
      },
    ],
    now,
  );
}

/** Outbox handlers for the template kinds; the service merges them into its handler table. */
export function templateOutboxHandlers(deps: Pick<Deps, 'slack' | 'slackPacer' | 'config' | 'logger'>): Record<string, OutboxHandler> {
  return {
    [TEMPLATE_NOTIFY]: async (raw, delivery) => {
      const parsed = notifyPayload.safeParse(raw);
      if (!parsed.success) throw new PermanentFailure('malformed template notice');
      const notice = parsed.data;
      try {
        const t = strings(await userLocale(deps.slack, deps, notice.userId)).templates;
        await postOnce(deps, { channel: notice.userId, text: t.notice(notice) }, delivery);
      } catch (err) {
        throw classifySlackError(err);
      }
    },
  };
}
