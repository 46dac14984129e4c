import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Deps } from '../../../context';
import type { Strings } from '../../../i18n';
import type { AccountDocument, Actor } from '../../../accounts/team';
import { templateListPage, type StoredTemplate } from '../../../templates';
import { slackDate } from '../../views/conversations';
import { LIST_PAGE_SIZE, templateListView, type TemplateRow } from '../../views/templates';

export type T = Strings['templates'];

/** Slack's view state: block_id → action_id → the element's value. */
const stateSchema = z.record(
  z.record(
    z
      .object({
        value: z.string().nullish(),
        selected_option: z.object({ value: z.string() }).nullish(),
      })
      .passthrough(),
  ),
);
export type ViewState = z.infer<typeof stateSchema>;

export function viewState(view: { state?: { values?: unknown } } | undefined): ViewState {
  const parsed = stateSchema.safeParse(view?.state?.values ?? {});
  return parsed.success ? parsed.data : {};
}

export function stateText(state: ViewState, blockId: string): string {
  return state[blockId]?.value?.value ?? '';
}

export function stateSelected(state: ViewState, blockId: string): string {
  return state[blockId]?.value?.selected_option?.value ?? '';
}

/** private_metadata we wrote ourselves, still parsed: Slack hands it back as a string. */
export function metadata<S extends z.ZodTypeAny>(schema: S, raw: string | undefined): z.output<S> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const listMetadataSchema = z.object({ accountId: z.string(), page: z.number().int().min(0) });
export const formMetadataSchema = z.object({ accountId: z.string() });
export const previewMetadataSchema = z.object({ accountId: z.string(), draftId: z.string() });
export const deleteMetadataSchema = z.object({ templateId: z.string(), listViewId: z.string(), listPage: z.number().int().min(0) });
export const sendMetadataSchema = z.object({ accountId: z.string(), waId: z.string(), templateId: z.string().optional() });

/** Who clicked or submitted, in which workspace: every lookup a listener makes is scoped by it. */
export function actorOf(body: { user: { id: string; team_id?: string }; team?: { id: string } | null }): Actor {
  return { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
}

/** What the list needs to say: the template words, and Meta's quality and category notes. */
export type ListStrings = Pick<Strings, 'templates' | 'platform'>;

export function templateRow(t: StoredTemplate, p: Strings['platform'], timeZone: string): TemplateRow {
  const notes: string[] = [];
  if (t.quality) notes.push(p.quality(t.quality));
  if (t.pendingCategory) {
    const when = t.pendingCategoryAt ? slackDate(t.pendingCategoryAt, p.intl, timeZone) : undefined;
    notes.push(p.categoryWillChange({ to: t.pendingCategory, ...(when ? { when } : {}) }));
  }
  return {
    ...(notes.length > 0 ? { notes } : {}),
    id: String(t._id),
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    rejectedReason: t.rejectedReason ?? undefined,
    enabled: t.enabled,
    header: t.header ?? undefined,
    body: t.body,
  };
}

/** The list at `page`, stepping back when deletions left that page empty. */
export async function buildListView(s: ListStrings, deps: Pick<Deps, 'config'>, account: AccountDocument, page: number, notice?: string) {
  const result = await templateListPage(account._id, page, LIST_PAGE_SIZE);
  return templateListView(s.templates, {
    account: { id: String(account._id), name: account.name },
    templates: result.templates.map((template) => templateRow(template, s.platform, deps.config.timeZone)),
    page: result.page,
    total: result.total,
    notice,
  });
}

/**
 * Whether the user may send from the account: a member of its channel.
 * Slack failing to answer counts as no; admins are let through by the caller.
 */
export async function isChannelMember(client: WebClient, deps: Pick<Deps, 'logger'>, channel: string, userId: string): Promise<boolean> {
  let cursor: string | undefined;
  try {
    // Channels can be large; stop at the first page that has the user.
    for (let page = 0; page < 50; page++) {
      const res = await client.conversations.members({ channel, limit: 1000, ...(cursor ? { cursor } : {}) });
      if (res.members?.includes(userId)) return true;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return false;
    }
  } catch (err) {
    deps.logger.warn('could not read the channel members', { channel, err });
  }
  return false;
}
