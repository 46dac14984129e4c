/**
 * Block Kit as strict as Slack: what real Slack refuses with `invalid_blocks`,
 * `invalid_arguments` or `msg_too_long`, this refuses too, with the path and the
 * rule. Every limit names its source on docs.slack.dev (as read in 2026):
 *   B  = https://docs.slack.dev/reference/block-kit/blocks/<name>-block
 *   E  = https://docs.slack.dev/reference/block-kit/block-elements/<name>-element
 *   C  = https://docs.slack.dev/reference/block-kit/composition-objects/<name>-object
 *   V  = https://docs.slack.dev/reference/views  (modal and home view objects)
 *   M  = https://docs.slack.dev/reference/methods/chat.postMessage  (blocks, text)
 * Neither slack-block-builder nor jsx-slack checks runtime lengths, counts or
 * option membership, so the rules live here, in one zod schema per object.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

export const LIMITS = {
  messageBlocks: 50, // M: "up to 50 blocks"
  viewBlocks: 100, // V: modal and home "maximum of 100 blocks"
  messageText: 40_000, // M: text over 40,000 characters is refused (msg_too_long)
  textObject: 3_000, // C text: "minimum 1, maximum 3000 characters"
  sectionText: 3_000, // B section: text max 3000
  sectionFields: 10, // B section: fields "maximum number of items is 10"
  sectionField: 2_000, // B section: each field's text max 2000
  headerText: 150, // B header: plain_text max 150
  contextElements: 10, // B context: elements max 10
  actionsElements: 25, // B actions: elements max 25
  inputLabel: 2_000, // B input: label plain_text max 2000
  inputHint: 2_000, // B input: hint plain_text max 2000
  blockId: 255, // every block: block_id max 255
  actionId: 255, // every element: action_id max 255
  buttonText: 75, // E button: text max 75
  buttonValue: 2_000, // E button: value max 2000
  url: 3_000, // E button, C option: url max 3000
  accessibilityLabel: 75, // E button: accessibility_label max 75
  placeholder: 150, // E select, plain_text_input: placeholder max 150
  optionText: 75, // C option: text max 75
  optionValue: 150, // C option: value max 150
  optionDescription: 75, // C option: description max 75
  selectOptions: 100, // E static_select: options max 100; option_groups max 100
  overflowOptions: 5, // E overflow: options max 5
  choiceOptions: 10, // E radio_buttons, checkboxes: options max 10
  inputMaxLength: 3_000, // E plain_text_input: max_length at most 3000
  confirmTitle: 100, // C confirmation dialog: title max 100
  confirmText: 300, // C confirmation dialog: text max 300
  confirmButton: 30, // C confirmation dialog: confirm, deny max 30
  viewTitle: 24, // V: title, submit, close max 24
  privateMetadata: 3_000, // V: private_metadata max 3000
  callbackId: 255, // V: callback_id max 255
  imageAlt: 2_000, // B image: alt_text max 2000
} as const;

const plain = (max: number) => z.object({ type: z.literal('plain_text'), text: z.string().min(1).max(max), emoji: z.boolean().optional() }).strict();
const mrkdwn = (max: number) => z.object({ type: z.literal('mrkdwn'), text: z.string().min(1).max(max), verbatim: z.boolean().optional() }).strict();
const text = (max: number) => z.discriminatedUnion('type', [plain(max), mrkdwn(max)]);
const actionId = z.string().min(1).max(LIMITS.actionId).optional();
const blockId = z.string().min(1).max(LIMITS.blockId).optional();
const url = z.string().min(1).max(LIMITS.url);

const confirm = z
  .object({
    title: plain(LIMITS.confirmTitle),
    text: text(LIMITS.confirmText),
    confirm: plain(LIMITS.confirmButton),
    deny: plain(LIMITS.confirmButton),
    style: z.enum(['primary', 'danger']).optional(),
  })
  .strict();

const option = z
  .object({
    text: plain(LIMITS.optionText),
    value: z.string().min(1).max(LIMITS.optionValue),
    description: plain(LIMITS.optionDescription).optional(),
    url: url.optional(),
  })
  .strict();
// C option: in radio buttons and checkboxes, text and description may be mrkdwn.
const choice = option.extend({ text: text(LIMITS.optionText), description: text(LIMITS.optionDescription).optional() });
const optionGroup = z.object({ label: plain(LIMITS.optionText), options: z.array(option).min(1).max(LIMITS.selectOptions) }).strict();

const button = z
  .object({
    type: z.literal('button'),
    text: plain(LIMITS.buttonText),
    action_id: actionId,
    value: z.string().max(LIMITS.buttonValue).optional(),
    url: url.optional(),
    style: z.enum(['primary', 'danger']).optional(),
    confirm: confirm.optional(),
    accessibility_label: z.string().max(LIMITS.accessibilityLabel).optional(),
  })
  .strict();

const common = { action_id: actionId, confirm: confirm.optional(), focus_on_load: z.boolean().optional() };
const placeholder = plain(LIMITS.placeholder).optional();

const staticSelect = z
  .object({
    type: z.literal('static_select'),
    ...common,
    placeholder,
    options: z.array(option).min(1).max(LIMITS.selectOptions).optional(),
    option_groups: z.array(optionGroup).min(1).max(LIMITS.selectOptions).optional(),
    initial_option: option.optional(),
  })
  .strict();
const externalSelect = z
  .object({
    type: z.literal('external_select'),
    ...common,
    placeholder,
    initial_option: option.optional(),
    min_query_length: z.number().int().min(0).optional(),
  })
  .strict();
const conversationsSelect = z
  .object({
    type: z.literal('conversations_select'),
    ...common,
    placeholder,
    initial_conversation: z.string().min(1).optional(),
    default_to_current_conversation: z.boolean().optional(),
    response_url_enabled: z.boolean().optional(),
    filter: z
      .object({
        include: z.array(z.enum(['im', 'mpim', 'private', 'public'])).min(1).optional(),
        exclude_external_shared_channels: z.boolean().optional(),
        exclude_bot_users: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
const channelsSelect = z.object({ type: z.literal('channels_select'), ...common, placeholder, initial_channel: z.string().optional() }).strict();
const usersSelect = z.object({ type: z.literal('users_select'), ...common, placeholder, initial_user: z.string().optional() }).strict();
const overflow = z.object({ type: z.literal('overflow'), ...common, options: z.array(option).min(1).max(LIMITS.overflowOptions) }).strict();
const radioButtons = z
  .object({ type: z.literal('radio_buttons'), ...common, options: z.array(choice).min(1).max(LIMITS.choiceOptions), initial_option: choice.optional() })
  .strict();
const checkboxes = z
  .object({ type: z.literal('checkboxes'), ...common, options: z.array(choice).min(1).max(LIMITS.choiceOptions), initial_options: z.array(choice).optional() })
  .strict();
const datepicker = z.object({ type: z.literal('datepicker'), ...common, placeholder, initial_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }).strict();
const plainTextInput = z
  .object({
    type: z.literal('plain_text_input'),
    action_id: actionId,
    placeholder,
    initial_value: z.string().optional(),
    multiline: z.boolean().optional(),
    min_length: z.number().int().min(0).max(LIMITS.inputMaxLength).optional(),
    max_length: z.number().int().min(1).max(LIMITS.inputMaxLength).optional(),
    dispatch_action_config: z.object({ trigger_actions_on: z.array(z.enum(['on_enter_pressed', 'on_character_entered'])) }).strict().optional(),
    focus_on_load: z.boolean().optional(),
  })
  .strict();
const imageElement = z.object({ type: z.literal('image'), image_url: url, alt_text: z.string().min(1).max(LIMITS.imageAlt) }).strict();

// Which elements each block may hold (B section "accessory", B actions "elements", B input "element").
const selects = [staticSelect, externalSelect, conversationsSelect, channelsSelect, usersSelect] as const;
const accessory = z.discriminatedUnion('type', [button, ...selects, overflow, radioButtons, checkboxes, datepicker, imageElement]);
const actionElement = z.discriminatedUnion('type', [button, ...selects, overflow, radioButtons, checkboxes, datepicker]);
const inputElement = z.discriminatedUnion('type', [plainTextInput, ...selects, radioButtons, checkboxes, datepicker]);

const section = z
  .object({
    type: z.literal('section'),
    block_id: blockId,
    text: text(LIMITS.sectionText).optional(),
    fields: z.array(text(LIMITS.sectionField)).min(1).max(LIMITS.sectionFields).optional(),
    accessory: accessory.optional(),
    expand: z.boolean().optional(),
  })
  .strict();
const blockSchema = z.discriminatedUnion('type', [
  section,
  z.object({ type: z.literal('header'), block_id: blockId, text: plain(LIMITS.headerText) }).strict(),
  z.object({ type: z.literal('divider'), block_id: blockId }).strict(),
  z
    .object({
      type: z.literal('context'),
      block_id: blockId,
      elements: z.array(z.union([text(LIMITS.textObject), imageElement])).min(1).max(LIMITS.contextElements),
    })
    .strict(),
  z.object({ type: z.literal('actions'), block_id: blockId, elements: z.array(actionElement).min(1).max(LIMITS.actionsElements) }).strict(),
  z
    .object({
      type: z.literal('input'),
      block_id: blockId,
      label: plain(LIMITS.inputLabel),
      element: inputElement,
      hint: plain(LIMITS.inputHint).optional(),
      optional: z.boolean().optional(),
      dispatch_action: z.boolean().optional(),
    })
    .strict(),
  z
    .object({ type: z.literal('image'), block_id: blockId, image_url: url, alt_text: z.string().min(1).max(LIMITS.imageAlt), title: plain(LIMITS.imageAlt).optional() })
    .strict(),
]);
type Block = z.infer<typeof blockSchema>;

type Problems = string[];

function zodProblems(where: string, error: z.ZodError): Problems {
  return error.issues.map((i) => `${where}${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`);
}

/** Rules across fields: unique block_ids and action_ids, an initial option that is one of the options. */
function crossChecks(where: string, blocks: readonly Block[]): Problems {
  const problems: Problems = [];
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `${where}.blocks.${i}`;
    if (block.type === 'section' && block.text === undefined && block.fields === undefined) problems.push(`${at}: a section needs text or fields`); // B section
    if (block.block_id !== undefined) {
      if (blockIds.has(block.block_id)) problems.push(`${at}: duplicate block_id ${block.block_id}`); // B: "unique for each message and each iteration of a message"
      blockIds.add(block.block_id);
    }
    const elements = block.type === 'actions' ? block.elements : block.type === 'input' ? [block.element] : block.type === 'section' && block.accessory ? [block.accessory] : [];
    const actionIds = new Set<string>();
    for (const element of elements) {
      if ('action_id' in element && element.action_id !== undefined) {
        if (actionIds.has(element.action_id)) problems.push(`${at}: duplicate action_id ${element.action_id} in one block`); // E: unique in its block
        actionIds.add(element.action_id);
      }
      if ('initial_option' in element && element.initial_option !== undefined) {
        const options = 'options' in element ? (element.options ?? []) : [];
        const grouped = 'option_groups' in element ? (element.option_groups ?? []).flatMap((g: { options: unknown[] }) => g.options) : [];
        const all = [...options, ...grouped];
        if (element.type !== 'external_select' && !all.some((o) => isDeepStrictEqual(o, element.initial_option))) {
          problems.push(`${at}: initial_option is not one of the options`); // E: "must exactly match one of the options"
        }
      }
      if (element.type === 'plain_text_input' && element.initial_value !== undefined && element.max_length !== undefined && element.initial_value.length > element.max_length) {
        problems.push(`${at}: initial_value is longer than max_length`); // E plain_text_input
      }
      if (element.type === 'static_select' && (element.options === undefined) === (element.option_groups === undefined)) {
        problems.push(`${at}: a static_select needs options or option_groups, not both`); // E static_select
      }
    }
  });
  return problems;
}

function blocksProblems(where: string, blocks: unknown, max: number): Problems {
  const parsed = z.array(blockSchema).max(max).safeParse(blocks);
  if (!parsed.success) return zodProblems(`${where}.blocks`, parsed.error);
  return crossChecks(where, parsed.data);
}

/** A message: chat.postMessage, chat.update, chat.postEphemeral, a response_url post or a command's ack. */
export function messageProblems(args: Record<string, unknown>, where = 'message'): Problems {
  const problems: Problems = [];
  const fallback = args.text;
  if (fallback !== undefined && typeof fallback !== 'string') problems.push(`${where}.text: must be a string`);
  if (typeof fallback === 'string' && fallback.length > LIMITS.messageText) problems.push(`${where}.text: msg_too_long (${fallback.length} > ${LIMITS.messageText})`);
  if (args.blocks === undefined) {
    if (typeof fallback !== 'string' || fallback.length === 0) problems.push(`${where}: no text and no blocks`); // M: text or blocks required
    return problems;
  }
  // M: with blocks, `text` is the notification and screen-reader fallback; we always send one.
  if (typeof fallback !== 'string' || fallback.trim().length === 0) problems.push(`${where}.text: a message with blocks needs a text fallback`);
  return [...problems, ...blocksProblems(where, args.blocks, LIMITS.messageBlocks)];
}

const viewBase = {
  blocks: z.array(z.unknown()),
  private_metadata: z.string().max(LIMITS.privateMetadata).optional(),
  callback_id: z.string().max(LIMITS.callbackId).optional(),
  external_id: z.string().max(LIMITS.callbackId).optional(),
};
const modal = z
  .object({
    type: z.literal('modal'),
    title: plain(LIMITS.viewTitle),
    submit: plain(LIMITS.viewTitle).optional(),
    close: plain(LIMITS.viewTitle).optional(),
    clear_on_close: z.boolean().optional(),
    notify_on_close: z.boolean().optional(),
    submit_disabled: z.boolean().optional(),
    ...viewBase,
  })
  .strict();
const home = z.object({ type: z.literal('home'), ...viewBase }).strict();

/** A view for views.open, views.push, views.update, views.publish or a view_submission answer. */
export function viewProblems(view: unknown, where = 'view'): Problems {
  const parsed = z.discriminatedUnion('type', [modal, home]).safeParse(view);
  if (!parsed.success) return zodProblems(where, parsed.error);
  const problems = blocksProblems(where, parsed.data.blocks, LIMITS.viewBlocks);
  const hasInput = parsed.data.blocks.some((b) => typeof b === 'object' && b !== null && 'type' in b && b.type === 'input');
  // V: "submit ... required when an input block is within the blocks array".
  if (parsed.data.type === 'modal' && hasInput && !parsed.data.submit) problems.push(`${where}.submit: required when the modal has input blocks`);
  return problems;
}

const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);
const VIEW_METHODS = new Set(['views.open', 'views.push', 'views.update', 'views.publish']);

/** A form field as the WebClient sends it: JSON values arrive parsed by `slackArgs`, numbers as text. */
const formInt = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(1));
const slackId = z.string().regex(/^[A-Z0-9]+$/);

/**
 * Slack's file upload, as docs.slack.dev documents it: files.getUploadURLExternal needs `filename`
 * and `length` (bytes, an integer); files.completeUploadExternal needs `files`, a non-empty JSON array
 * of `{ id, title? }`, and `thread_ts` only with one `channel_id`. files.upload was retired on 2025-11-12.
 */
const FILE_METHODS: Record<string, z.ZodTypeAny> = {
  'files.getUploadURLExternal': z.object({ filename: z.string().min(1), length: formInt, alt_txt: z.string().optional(), snippet_type: z.string().optional() }).strict(),
  'files.completeUploadExternal': z
    .object({
      files: z.array(z.object({ id: slackId, title: z.string().min(1).optional() }).strict()).min(1),
      channel_id: slackId.optional(),
      channels: z.string().optional(),
      thread_ts: z.string().regex(/^\d+\.\d+$/).optional(),
      initial_comment: z.string().max(LIMITS.messageText).optional(),
      blocks: z.unknown().optional(),
    })
    .strict()
    .refine((a) => !a.thread_ts || a.channel_id, { message: 'thread_ts needs channel_id' }),
};

/** What real Slack would refuse in one Web API call; empty when it would accept it. */
export function slackCallProblems(method: string, args: Record<string, unknown>): Problems {
  if (MESSAGE_METHODS.has(method)) return messageProblems(args, method);
  if (VIEW_METHODS.has(method)) return viewProblems(args.view, `${method}.view`);
  if (method === 'files.upload') return ['files.upload: retired by Slack on 2025-11-12 (method_deprecated); use files.getUploadURLExternal and files.completeUploadExternal'];
  const files = FILE_METHODS[method];
  if (files) {
    const { token: _token, ...rest } = args;
    const parsed = files.safeParse(rest);
    return parsed.success ? [] : zodProblems(method, parsed.error);
  }
  return [];
}

/** The Slack error a refused call gets: views answer invalid_arguments, messages invalid_blocks or msg_too_long. */
export function slackErrorFor(method: string, problems: Problems): string {
  if (VIEW_METHODS.has(method)) return 'invalid_arguments';
  return problems.some((p) => p.includes('msg_too_long')) ? 'msg_too_long' : 'invalid_blocks';
}

/** The app's answer to a view_submission or a slash command, as Slack reads it. */
export function ackProblems(body: unknown): Problems {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  const answer = Object.fromEntries(Object.entries(body));
  switch (answer.response_action) {
    case 'update':
    case 'push':
      return viewProblems(answer.view, `ack.${answer.response_action}.view`);
    case 'errors': {
      const errors = z.record(z.string().min(1).max(LIMITS.blockId), z.string().min(1)).safeParse(answer.errors);
      return errors.success ? [] : zodProblems('ack.errors', errors.error);
    }
    case 'clear':
    case undefined:
      return answer.text !== undefined || answer.blocks !== undefined ? messageProblems(answer, 'ack') : [];
    default:
      return [`ack.response_action: unknown ${String(answer.response_action)}`];
  }
}

// ---- the record a test fails on ----------------------------------------------------

const seen: string[] = [];

/** Keeps what Slack would have refused; the suite's afterEach fails the test that sent it. */
export function recordProblems(problems: Problems): void {
  seen.push(...problems);
}

export function takeProblems(): string[] {
  return seen.splice(0, seen.length);
}
