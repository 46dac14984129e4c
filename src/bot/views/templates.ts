import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { AccountKind } from '../../accounts/kind';
import { addressLabel } from '../../domain/customer';
import {
  TEMPLATE_CATEGORIES,
  bodyVariableCount,
  headerVariableCount,
  type RenderedTemplate,
  type TemplateDraft,
  type TemplateIssue,
} from '../../domain/templates';
import type { Strings } from '../../i18n';
import { escapeMrkdwn, type SlackMessage } from './conversations';
import { clamp, SLACK_LIMITS, viewTitle } from './limits';
import type { TemplateFormValues } from '../../templates/form';
import type { WhatsAppFailure } from '../../templates/failures';

/** Block Kit views of the template screens: pure functions from data to blocks. */

type T = Strings['templates'];

export const TEMPLATE_ACTIONS = {
  /** Account list button; value = accountId. */
  open: 'templates.open',
  /** Conversation thread / window alert button; value = conversationId. */
  send: 'templates.send',
  add: 'templates.add',
  refresh: 'templates.refresh',
  page: 'templates.page',
  toggle: 'templates.toggle',
  delete: 'templates.delete',
  back: 'templates.preview.back',
  pick: 'templates.send.pick',
} as const;

export const TEMPLATE_VIEWS = {
  list: 'templates.list',
  form: 'templates.form',
  preview: 'templates.preview',
  deleteConfirm: 'templates.delete.confirm',
  send: 'templates.send.submit',
  done: 'templates.done',
} as const;

/** block_id of each form input; the action_id inside is always `value`. */
export const FORM_BLOCKS = {
  name: 'tpl_name',
  language: 'tpl_language',
  category: 'tpl_category',
  header: 'tpl_header',
  headerExample: 'tpl_header_example',
  body: 'tpl_body',
  footer: 'tpl_footer',
  buttons: 'tpl_buttons',
  examples: 'tpl_examples',
} as const satisfies Record<keyof TemplateFormValues, string>;

export const SEND_BLOCKS = {
  pick: 'tpl_send_pick',
  header: 'tpl_var_header',
  body: (n: number) => `tpl_var_body_${n}`,
} as const;

export const LIST_PAGE_SIZE = 10;
const PREVIEW_CHARS = 150;

// ------------------------------------------------------------------ helpers

const plain = (text: string) => ({ type: 'plain_text' as const, text: text.slice(0, 150), emoji: true });
const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: text.slice(0, 3000) });
const section = (text: string): KnownBlock => ({ type: 'section', text: mrkdwn(text) });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [mrkdwn(text)] });

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

function failureCode(failure: WhatsAppFailure): string {
  if (failure.code === undefined) return failure.kind;
  return failure.subcode !== undefined ? `${failure.code}/${failure.subcode}` : String(failure.code);
}

/** A WhatsApp failure as one sentence; `refused` words the API answer for the screen at hand. */
export function failureText(
  t: T,
  failure: WhatsAppFailure,
  accountKind: AccountKind,
  refused: (p: { message: string; code: string }) => string,
): string {
  if (failure.kind === 'unsupported') return t.unsupported[accountKind];
  if (failure.kind === 'network' || failure.kind === 'timeout') return t.whatsappUnreachable({ message: failure.message });
  return refused({ message: failure.message, code: failureCode(failure) });
}

const STATUS_EMOJI: Record<string, string> = {
  APPROVED: ':large_green_circle:',
  PENDING: ':large_yellow_circle:',
  REJECTED: ':red_circle:',
  PAUSED: ':double_vertical_bar:',
  DISABLED: ':no_entry:',
};

// --------------------------------------------------------------------- list

export interface TemplateRow {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  rejectedReason?: string;
  enabled: boolean;
  header?: string;
  body: string;
  /** Lines already in the reader's language: the quality score, a category change to come. */
  notes?: string[];
}

export interface TemplateListInput {
  account: { id: string; name: string };
  templates: TemplateRow[];
  page: number;
  total: number;
  pageSize?: number;
  /** One line at the top: "Successfully updated!", a refresh result, a refusal. */
  notice?: string;
}

export interface ListMetadata {
  accountId: string;
  page: number;
}

export function templateListView(t: T, input: TemplateListInput): ModalView {
  const pageSize = input.pageSize ?? LIST_PAGE_SIZE;
  const { account, templates, page, total } = input;
  const blocks: KnownBlock[] = [section(t.listHeader(account.name))];
  if (input.notice) blocks.push(context(input.notice));
  blocks.push({
    type: 'actions',
    block_id: 'tpl_list_actions',
    elements: [
      { type: 'button', action_id: TEMPLATE_ACTIONS.add, text: plain(t.addButton), style: 'primary', value: account.id },
      { type: 'button', action_id: TEMPLATE_ACTIONS.refresh, text: plain(t.refreshButton), value: account.id },
    ],
  });
  blocks.push({ type: 'divider' });

  if (templates.length === 0) blocks.push(section(t.listEmpty));
  for (const template of templates) {
    const status = `${STATUS_EMOJI[template.status] ?? ':white_circle:'} ${t.status(template.status)}`;
    const lines = [
      `*${template.name}* · ${template.language} · ${t.categories[template.category] ?? template.category}`,
      `${status} · ${template.enabled ? t.localOn : t.localOff}`,
    ];
    if (template.status === 'REJECTED' && template.rejectedReason) lines.push(t.rejectedBecause(template.rejectedReason));
    lines.push(...(template.notes ?? []));
    const preview = [template.header ? `*${template.header}*` : undefined, template.body].filter(Boolean).join('\n');
    lines.push(quote(clamp(preview, PREVIEW_CHARS)));
    blocks.push({ type: 'section', block_id: `tpl_row_${template.id}`, text: mrkdwn(lines.join('\n')) });
    blocks.push({
      type: 'actions',
      block_id: `tpl_row_actions_${template.id}`,
      elements: [
        {
          type: 'button',
          action_id: TEMPLATE_ACTIONS.toggle,
          text: plain(template.enabled ? t.switchOff : t.switchOn),
          value: `${template.id}:${template.enabled ? 'off' : 'on'}`,
        },
        { type: 'button', action_id: TEMPLATE_ACTIONS.delete, text: plain(t.deleteButton), style: 'danger', value: template.id },
      ],
    });
  }

  if (total > pageSize) {
    const from = page * pageSize + 1;
    const to = Math.min(total, (page + 1) * pageSize);
    blocks.push(context(t.listCount(from, to, total)));
    const paging = [];
    if (page > 0) {
      paging.push({ type: 'button' as const, action_id: `${TEMPLATE_ACTIONS.page}.prev`, text: plain(t.previousPage), value: String(page - 1) });
    }
    if (to < total) {
      paging.push({ type: 'button' as const, action_id: `${TEMPLATE_ACTIONS.page}.next`, text: plain(t.nextPage), value: String(page + 1) });
    }
    blocks.push({ type: 'actions', block_id: 'tpl_paging', elements: paging });
  }

  const metadata: ListMetadata = { accountId: account.id, page };
  return {
    type: 'modal',
    callback_id: TEMPLATE_VIEWS.list,
    title: viewTitle(t.listTitle),
    close: plain(t.close),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

// --------------------------------------------------------------------- form

export interface FormMetadata {
  accountId: string;
}

const EMPTY_FORM: TemplateFormValues = {
  name: '',
  language: '',
  category: '',
  header: '',
  headerExample: '',
  body: '',
  footer: '',
  buttons: '',
  examples: '',
};

function textInput(
  blockId: string,
  label: string,
  hint: string | undefined,
  value: string,
  opts: { optional?: boolean; multiline?: boolean } = {},
): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional: opts.optional ?? false,
    label: plain(label),
    ...(hint ? { hint: plain(hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      multiline: opts.multiline ?? false,
      ...(value !== '' ? { initial_value: value } : {}),
    },
  };
}

/** The first step. `error` is WhatsApp's refusal of the last submission, shown above the fields. */
export function templateFormView(
  t: T,
  input: { accountId: string; values?: TemplateFormValues; error?: string },
): ModalView {
  const v = input.values ?? EMPTY_FORM;
  const options: PlainTextOption[] = TEMPLATE_CATEGORIES.map((c) => ({ text: plain(t.categories[c] ?? c), value: c }));
  const initial = options.find((o) => o.value === v.category);
  const blocks: KnownBlock[] = [];
  if (input.error) blocks.push(section(input.error));
  blocks.push(
    textInput(FORM_BLOCKS.name, t.fieldName, t.fieldNameHint, v.name),
    textInput(FORM_BLOCKS.language, t.fieldLanguage, t.fieldLanguageHint, v.language),
    {
      type: 'input',
      block_id: FORM_BLOCKS.category,
      label: plain(t.fieldCategory),
      element: { type: 'static_select', action_id: 'value', options, ...(initial ? { initial_option: initial } : {}) },
    },
    textInput(FORM_BLOCKS.header, t.fieldHeader, t.fieldHeaderHint, v.header, { optional: true }),
    textInput(FORM_BLOCKS.headerExample, t.fieldHeaderExample, undefined, v.headerExample, { optional: true }),
    textInput(FORM_BLOCKS.body, t.fieldBody, t.fieldBodyHint, v.body, { multiline: true }),
    textInput(FORM_BLOCKS.examples, t.fieldExamples, t.fieldExamplesHint, v.examples, { optional: true, multiline: true }),
    textInput(FORM_BLOCKS.footer, t.fieldFooter, t.fieldFooterHint, v.footer, { optional: true }),
    textInput(FORM_BLOCKS.buttons, t.fieldButtons, t.fieldButtonsHint, v.buttons, { optional: true, multiline: true }),
  );
  const metadata: FormMetadata = { accountId: input.accountId };
  return {
    type: 'modal',
    callback_id: TEMPLATE_VIEWS.form,
    title: viewTitle(t.formTitle),
    submit: plain(t.formNext),
    close: plain(t.cancel),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

/** The block an issue belongs on; a header example has its own input. */
export function issueBlockId(issue: TemplateIssue): string {
  if (issue.field === 'examples' && issue.params?.part === 'header') return FORM_BLOCKS.headerExample;
  return FORM_BLOCKS[issue.field];
}

export function issueText(t: T, issue: TemplateIssue): string {
  const describe = (t.issues as Record<string, ((p: Record<string, string | number>) => string) | undefined>)[issue.code];
  return describe ? describe(issue.params ?? {}) : t.issueUnknown(issue.code);
}

/** `response_action: errors` content: every issue on its field, several joined. */
export function formErrors(t: T, issues: TemplateIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const block = issueBlockId(issue);
    const text = issueText(t, issue);
    errors[block] = errors[block] ? `${errors[block]} ${text}` : text;
  }
  return errors;
}

// ------------------------------------------------------------------ preview

export interface PreviewMetadata {
  accountId: string;
  draftId: string;
}

function renderedBlocks(rendered: RenderedTemplate, buttons: string[] = []): KnownBlock[] {
  const parts = [
    rendered.header ? `*${rendered.header}*` : undefined,
    rendered.body,
    rendered.footer ? `_${rendered.footer}_` : undefined,
  ].filter((p): p is string => p !== undefined);
  const blocks: KnownBlock[] = [section(quote(parts.join('\n')))];
  if (buttons.length > 0) blocks.push(context(buttons.map((b) => `[ ${b} ]`).join('  ')));
  return blocks;
}

export function templatePreviewView(
  t: T,
  input: { accountId: string; draftId: string; draft: TemplateDraft; rendered: RenderedTemplate },
): ModalView {
  const { draft } = input;
  const metadata: PreviewMetadata = { accountId: input.accountId, draftId: input.draftId };
  return {
    type: 'modal',
    callback_id: TEMPLATE_VIEWS.preview,
    title: viewTitle(t.previewTitle),
    submit: plain(t.submit),
    close: plain(t.cancel),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      context(t.previewIntro),
      section(t.previewMeta({ name: draft.name, language: draft.language, category: t.categories[draft.category] ?? draft.category })),
      ...renderedBlocks(input.rendered, draft.buttons.map((b) => b.text)),
      {
        type: 'actions',
        block_id: 'tpl_preview_actions',
        elements: [{ type: 'button', action_id: TEMPLATE_ACTIONS.back, text: plain(t.back), value: input.draftId }],
      },
    ],
  };
}

/** A closing screen with one message: done, refused, not allowed. */
export function messageView(t: T, heading: string, text: string): ModalView {
  return {
    type: 'modal',
    callback_id: TEMPLATE_VIEWS.done,
    title: viewTitle(heading),
    close: plain(t.close),
    blocks: [section(text)],
  };
}

// ------------------------------------------------------------------- delete

export interface DeleteMetadata {
  templateId: string;
  /** The list underneath, refreshed once the template is gone. */
  listViewId: string;
  listPage: number;
}

export function deleteConfirmView(
  t: T,
  input: { template: { id: string; name: string; language: string }; listViewId: string; listPage: number },
): ModalView {
  const metadata: DeleteMetadata = { templateId: input.template.id, listViewId: input.listViewId, listPage: input.listPage };
  return {
    type: 'modal',
    callback_id: TEMPLATE_VIEWS.deleteConfirm,
    title: viewTitle(t.deleteTitle),
    submit: plain(t.deleteButton),
    close: plain(t.cancel),
    private_metadata: JSON.stringify(metadata),
    blocks: [section(t.deleteConfirm({ name: input.template.name, language: input.template.language }))],
  };
}

// --------------------------------------------------------------------- send

export interface SendMetadata {
  accountId: string;
  waId: string;
  templateId?: string;
}

export interface SendableTemplate {
  id: string;
  name: string;
  language: string;
  header?: string;
  body: string;
  footer?: string;
  buttons: string[];
}

export interface SendViewInput {
  accountId: string;
  waId: string;
  templates: SendableTemplate[];
  selected?: SendableTemplate;
  values?: { header?: string; body: string[] };
  /** Rendered with the values typed so far; missing ones keep their {{n}}. */
  rendered?: RenderedTemplate;
  error?: string;
}

/** A template as an option of the send modal's select. */
export function templateOption(tpl: Pick<SendableTemplate, 'id' | 'name' | 'language'>): PlainTextOption {
  return { text: plain(clamp(`${tpl.name} (${tpl.language})`, SLACK_LIMITS.optionText)), value: tpl.id };
}

/** The options Slack asked for while the agent types in a long select: those matching, first 100. */
export function templateOptions(templates: readonly Pick<SendableTemplate, 'id' | 'name' | 'language'>[], query: string): PlainTextOption[] {
  const q = query.trim().toLowerCase();
  return templates
    .filter((tpl) => `${tpl.name} (${tpl.language})`.toLowerCase().includes(q))
    .slice(0, SLACK_LIMITS.selectOptions)
    .map(templateOption);
}

export function sendTemplateView(t: T, input: SendViewInput): ModalView {
  const metadata: SendMetadata = { accountId: input.accountId, waId: input.waId, templateId: input.selected?.id };
  const blocks: KnownBlock[] = [context(t.sendTo(addressLabel(input.waId)))];
  if (input.error) blocks.push(section(input.error));
  if (input.templates.length === 0) {
    blocks.push(section(t.sendNoTemplates));
    return {
      type: 'modal',
      callback_id: TEMPLATE_VIEWS.send,
      title: viewTitle(t.sendTitle),
      close: plain(t.close),
      private_metadata: JSON.stringify(metadata),
      blocks,
    };
  }
  const options = input.templates.map(templateOption);
  const initial = options.find((o) => o.value === input.selected?.id);
  // Slack lists 100 options at most: past that, Slack asks us for the options matching what the agent types.
  const select =
    options.length > SLACK_LIMITS.selectOptions
      ? { type: 'external_select' as const, min_query_length: 0 }
      : { type: 'static_select' as const, options };
  blocks.push({
    type: 'section',
    block_id: SEND_BLOCKS.pick,
    text: mrkdwn(`*${t.sendPick}*`),
    accessory: {
      ...select,
      action_id: TEMPLATE_ACTIONS.pick,
      placeholder: plain(t.sendPickPlaceholder),
      ...(initial ? { initial_option: initial } : {}),
    },
  });
  const selected = input.selected;
  if (selected) {
    if (headerVariableCount(selected.header) > 0) {
      blocks.push(textInput(SEND_BLOCKS.header, t.sendHeaderVariable, undefined, input.values?.header ?? ''));
    }
    const count = bodyVariableCount(selected.body);
    for (let n = 1; n <= count; n++) {
      blocks.push(textInput(SEND_BLOCKS.body(n), t.sendVariable(n), undefined, input.values?.body[n - 1] ?? ''));
    }
    blocks.push(section(`*${t.sendPreview}*`));
    blocks.push(
      ...renderedBlocks(input.rendered ?? { header: selected.header, body: selected.body, footer: selected.footer }, selected.buttons),
    );
  }
  return {
    type: 'modal',
    callback_id: TEMPLATE_VIEWS.send,
    title: viewTitle(t.sendTitle),
    submit: plain(t.sendButton),
    close: plain(t.cancel),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

/** The sent template as it appears in the conversation's thread. */
export function sentTemplateMessage(
  t: T,
  input: { userId: string; name: string; language: string; rendered: RenderedTemplate },
): SlackMessage {
  const r = input.rendered;
  const parts = [r.header ? `*${escapeMrkdwn(r.header)}*` : undefined, escapeMrkdwn(r.body), r.footer ? `_${escapeMrkdwn(r.footer)}_` : undefined];
  const body = parts.filter((p): p is string => p !== undefined).join('\n');
  const heading = t.sentInThread({ user: `<@${input.userId}>`, name: input.name, language: input.language });
  return {
    text: `${heading}\n${r.body}`,
    blocks: [context(heading), section(quote(body))],
  };
}
