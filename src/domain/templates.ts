/**
 * WhatsApp message template (HSM) rules: validation of drafts before they are
 * submitted to Meta, rendering for previews and the sent-message record, and
 * conversion to and from the Graph API shapes. Pure: no I/O.
 */
import { z } from 'zod';

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

export const TEMPLATE_LIMITS = {
  nameMax: 512,
  bodyMax: 1024,
  headerMax: 60,
  footerMax: 60,
  buttonsMax: 10,
  buttonTextMax: 25,
  headerVariablesMax: 1,
} as const;

export type TemplateButton =
  | { type: 'QUICK_REPLY'; text: string }
  | { type: 'URL'; text: string; url: string }
  | { type: 'PHONE_NUMBER'; text: string; phoneNumber: string };

export interface TemplateDraft {
  name: string;
  language: string;
  category: TemplateCategory;
  header?: string;
  body: string;
  footer?: string;
  buttons: TemplateButton[];
  /** Example for {{1}}..{{n}} of the body, in order; Meta requires them for review. */
  bodyExamples: string[];
  headerExample?: string;
}

export type TemplateField = 'name' | 'language' | 'category' | 'header' | 'body' | 'footer' | 'buttons' | 'examples';

/** A code plus parameters; the i18n layer turns it into a sentence. */
export interface TemplateIssue {
  field: TemplateField;
  code: string;
  params?: Record<string, string | number>;
}

// ---------------------------------------------------------------- variables

interface VariableToken {
  raw: string;
  /** Set only when well formed ({{1}}, {{2}}, ...). */
  number?: number;
  start: number;
  end: number;
}

/** Non-greedy so `{{1}} and {{2}}` are two tokens; `{{{1}}}` lands as malformed `{{{1}}`. */
const TOKEN_RE = /\{\{(.*?)\}\}/gs;
const WELL_FORMED_RE = /^[1-9][0-9]*$/;

function scanVariables(text: string): VariableToken[] {
  const tokens: VariableToken[] = [];
  for (const match of text.matchAll(TOKEN_RE)) {
    const start = match.index ?? 0;
    const inner = match[1] ?? '';
    const token: VariableToken = { raw: match[0], start, end: start + match[0].length };
    if (WELL_FORMED_RE.test(inner)) token.number = Number(inner);
    tokens.push(token);
  }
  return tokens;
}

/** Braces left over once all `{{...}}` tokens are removed, e.g. `{{1}` or `1}}`. */
function strayBraces(text: string): string | undefined {
  const rest = text.replace(TOKEN_RE, ' ');
  const stray = /\{\{|\}\}/.exec(rest);
  return stray ? stray[0] : undefined;
}

/** Highest well-formed variable number in the text: the count of values to send. */
function variableCount(text: string | undefined): number {
  if (!text) return 0;
  return scanVariables(text).reduce((max, t) => Math.max(max, t.number ?? 0), 0);
}

export function bodyVariableCount(body: string): number {
  return variableCount(body);
}

export function headerVariableCount(header: string | undefined): number {
  return variableCount(header);
}

/** Meta counts characters, not UTF-16 units: an emoji is one. */
function charLength(text: string): number {
  return [...text].length;
}

function present(text: string | undefined): text is string {
  return text !== undefined && text.trim() !== '';
}

/** Reports malformed tokens and the first break in {{1}}, {{2}}, ... numbering. */
function checkVariables(field: 'header' | 'body', text: string, issues: TemplateIssue[]): VariableToken[] {
  const tokens = scanVariables(text);
  for (const token of tokens) {
    if (token.number === undefined) issues.push({ field, code: 'variable_malformed', params: { token: token.raw } });
  }
  const stray = strayBraces(text);
  if (stray !== undefined) issues.push({ field, code: 'variable_malformed', params: { token: stray } });

  let highest = 0;
  for (const token of tokens) {
    if (token.number === undefined || token.number <= highest) continue;
    if (token.number !== highest + 1) {
      issues.push({ field, code: 'variables_not_sequential', params: { expected: highest + 1, found: token.number } });
      break;
    }
    highest = token.number;
  }
  return tokens.filter((t) => t.number !== undefined);
}

// --------------------------------------------------------------- validation

const NAME_RE = /^[a-z0-9_]+$/;
const LANGUAGE_RE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
const PHONE_RE = /^\+[0-9]{8,15}$/;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function validateName(draft: TemplateDraft, existing: readonly { name: string; language: string }[], issues: TemplateIssue[]): void {
  const name = draft.name;
  if (name === '') {
    issues.push({ field: 'name', code: 'required' });
    return;
  }
  if (!NAME_RE.test(name)) issues.push({ field: 'name', code: 'invalid_characters' });
  if (charLength(name) > TEMPLATE_LIMITS.nameMax) {
    issues.push({ field: 'name', code: 'too_long', params: { max: TEMPLATE_LIMITS.nameMax, length: charLength(name) } });
  }
  if (existing.some((t) => t.name === name && t.language === draft.language)) {
    issues.push({ field: 'name', code: 'duplicate', params: { name, language: draft.language } });
  }
}

function validateBody(draft: TemplateDraft, issues: TemplateIssue[]): void {
  const body = draft.body;
  if (!present(body)) {
    issues.push({ field: 'body', code: 'required' });
    return;
  }
  if (charLength(body) > TEMPLATE_LIMITS.bodyMax) {
    issues.push({ field: 'body', code: 'too_long', params: { max: TEMPLATE_LIMITS.bodyMax, length: charLength(body) } });
  }
  const variables = checkVariables('body', body, issues);
  const first = variables[0];
  const last = variables[variables.length - 1];
  const leading = body.length - body.trimStart().length;
  const trailing = body.trimEnd().length;
  if (first !== undefined && first.start === leading) issues.push({ field: 'body', code: 'variable_at_start' });
  if (last !== undefined && last.end === trailing) issues.push({ field: 'body', code: 'variable_at_end' });
  for (let i = 1; i < variables.length; i++) {
    const prev = variables[i - 1];
    const next = variables[i];
    if (prev && next && body.slice(prev.end, next.start).trim() === '') {
      issues.push({ field: 'body', code: 'variables_adjacent', params: { first: prev.raw, second: next.raw } });
    }
  }
  const count = bodyVariableCount(body);
  for (let n = 1; n <= count; n++) {
    if (!present(draft.bodyExamples[n - 1])) {
      issues.push({ field: 'examples', code: 'example_missing', params: { part: 'body', variable: n } });
    }
  }
}

function validateHeader(draft: TemplateDraft, issues: TemplateIssue[]): void {
  const header = draft.header;
  if (!present(header)) return;
  if (charLength(header) > TEMPLATE_LIMITS.headerMax) {
    issues.push({ field: 'header', code: 'too_long', params: { max: TEMPLATE_LIMITS.headerMax, length: charLength(header) } });
  }
  const variables = checkVariables('header', header, issues);
  if (variables.length > TEMPLATE_LIMITS.headerVariablesMax) {
    issues.push({
      field: 'header',
      code: 'too_many_variables',
      params: { max: TEMPLATE_LIMITS.headerVariablesMax, found: variables.length },
    });
  }
  if (variables.length > 0 && !present(draft.headerExample)) {
    issues.push({ field: 'examples', code: 'example_missing', params: { part: 'header', variable: 1 } });
  }
}

function validateFooter(draft: TemplateDraft, issues: TemplateIssue[]): void {
  const footer = draft.footer;
  if (!present(footer)) return;
  if (charLength(footer) > TEMPLATE_LIMITS.footerMax) {
    issues.push({ field: 'footer', code: 'too_long', params: { max: TEMPLATE_LIMITS.footerMax, length: charLength(footer) } });
  }
  if (scanVariables(footer).length > 0 || strayBraces(footer) !== undefined) {
    issues.push({ field: 'footer', code: 'variables_not_allowed' });
  }
}

function validateButtons(draft: TemplateDraft, issues: TemplateIssue[]): void {
  if (draft.buttons.length > TEMPLATE_LIMITS.buttonsMax) {
    issues.push({ field: 'buttons', code: 'too_many', params: { max: TEMPLATE_LIMITS.buttonsMax, found: draft.buttons.length } });
  }
  draft.buttons.forEach((button, index) => {
    const position = index + 1; // people count buttons from 1
    if (!present(button.text)) {
      issues.push({ field: 'buttons', code: 'button_text_required', params: { button: position } });
    } else if (charLength(button.text) > TEMPLATE_LIMITS.buttonTextMax) {
      issues.push({
        field: 'buttons',
        code: 'button_text_too_long',
        params: { button: position, max: TEMPLATE_LIMITS.buttonTextMax, length: charLength(button.text) },
      });
    }
    if (button.type === 'URL') {
      // Dynamic URLs need a per-send parameter, which sending does not support.
      if (button.url.includes('{{')) {
        issues.push({ field: 'buttons', code: 'button_url_variable_not_supported', params: { button: position } });
      } else if (!isHttpUrl(button.url)) {
        issues.push({ field: 'buttons', code: 'button_url_invalid', params: { button: position } });
      }
    }
    if (button.type === 'PHONE_NUMBER' && !PHONE_RE.test(button.phoneNumber)) {
      issues.push({ field: 'buttons', code: 'button_phone_invalid', params: { button: position } });
    }
  });
}

/** Every problem at once, so a form can mark all fields in one round. Empty means valid. */
export function validateTemplateDraft(
  draft: TemplateDraft,
  existing: readonly { name: string; language: string }[],
): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  validateName(draft, existing, issues);
  if (draft.language === '') issues.push({ field: 'language', code: 'required' });
  else if (!LANGUAGE_RE.test(draft.language)) issues.push({ field: 'language', code: 'invalid_format' });
  // The type says it is valid, but drafts come from forms and stored documents.
  if (!(TEMPLATE_CATEGORIES as readonly string[]).includes(draft.category)) {
    issues.push({ field: 'category', code: 'invalid' });
  }
  validateHeader(draft, issues);
  validateBody(draft, issues);
  validateFooter(draft, issues);
  validateButtons(draft, issues);
  return issues;
}

// ---------------------------------------------------------------- rendering

export interface TemplateValues {
  body: string[];
  header?: string;
}

export interface RenderedTemplate {
  header?: string;
  body: string;
  footer?: string;
}

/** Missing values keep their `{{n}}` so a preview shows what is still to fill in. */
function substitute(text: string, values: readonly (string | undefined)[]): string {
  return text.replace(/\{\{([1-9][0-9]*)\}\}/g, (token, n: string) => values[Number(n) - 1] ?? token);
}

export function renderTemplate(
  template: { header?: string; body: string; footer?: string },
  values: TemplateValues,
): RenderedTemplate {
  const rendered: RenderedTemplate = { body: substitute(template.body, values.body) };
  if (present(template.header)) rendered.header = substitute(template.header, [values.header]);
  if (present(template.footer)) rendered.footer = template.footer;
  return rendered;
}

// ------------------------------------------------------- Graph API: create

export type GraphApiButton =
  | { type: 'QUICK_REPLY'; text: string }
  | { type: 'URL'; text: string; url: string }
  | { type: 'PHONE_NUMBER'; text: string; phone_number: string };

export type GraphApiTemplateComponent =
  | { type: 'HEADER'; format: 'TEXT'; text: string; example?: { header_text: string[] } }
  | { type: 'BODY'; text: string; example?: { body_text: string[][] } }
  | { type: 'FOOTER'; text: string }
  | { type: 'BUTTONS'; buttons: GraphApiButton[] };

/** Request body of `POST /{WABA-ID}/message_templates`. */
export interface GraphApiTemplateCreate {
  name: string;
  language: string;
  category: TemplateCategory;
  components: GraphApiTemplateComponent[];
}

function toGraphApiButton(button: TemplateButton): GraphApiButton {
  switch (button.type) {
    case 'QUICK_REPLY':
      return { type: 'QUICK_REPLY', text: button.text };
    case 'URL':
      return { type: 'URL', text: button.text, url: button.url };
    case 'PHONE_NUMBER':
      return { type: 'PHONE_NUMBER', text: button.text, phone_number: button.phoneNumber };
  }
}

export function toGraphApiTemplate(draft: TemplateDraft): GraphApiTemplateCreate {
  const components: GraphApiTemplateComponent[] = [];
  if (present(draft.header)) {
    const header: GraphApiTemplateComponent = { type: 'HEADER', format: 'TEXT', text: draft.header };
    if (headerVariableCount(draft.header) > 0 && draft.headerExample !== undefined) {
      header.example = { header_text: [draft.headerExample] };
    }
    components.push(header);
  }
  const body: GraphApiTemplateComponent = { type: 'BODY', text: draft.body };
  const count = bodyVariableCount(draft.body);
  if (count > 0) {
    // Meta wants exactly one example per variable; stale extra form values are dropped.
    body.example = { body_text: [draft.bodyExamples.slice(0, count)] };
  }
  components.push(body);
  if (present(draft.footer)) components.push({ type: 'FOOTER', text: draft.footer });
  if (draft.buttons.length > 0) components.push({ type: 'BUTTONS', buttons: draft.buttons.map(toGraphApiButton) });
  return { name: draft.name, language: draft.language, category: draft.category, components };
}

// ------------------------------------------------------- Graph API: import

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | (string & {});

/** A template as Meta reports it; may come from elsewhere (WhatsApp Manager) with features we cannot send. */
export interface GraphApiTemplate {
  id: string;
  name: string;
  language: string;
  category: TemplateCategory | (string & {});
  status: TemplateStatus;
  rejectedReason?: string;
  /** Text of a TEXT header; media headers have no text (see headerFormat). */
  header?: string;
  headerFormat?: string;
  body: string;
  footer?: string;
  buttons: TemplateButton[];
  bodyExamples: string[];
  headerExample?: string;
  /** Parts this app cannot send (e.g. `header:IMAGE`, `button:OTP`); empty means sendable. */
  unsupported: string[];
}

const exampleSchema = z
  .object({
    header_text: z.array(z.string()).optional(),
    body_text: z.array(z.array(z.string())).optional(),
  })
  .loose();

const graphButtonSchema = z
  .object({
    type: z.string(),
    text: z.string().optional(),
    url: z.string().optional(),
    phone_number: z.string().optional(),
  })
  .loose();

const graphComponentSchema = z
  .object({
    type: z.string(),
    format: z.string().optional(),
    text: z.string().optional(),
    buttons: z.array(graphButtonSchema).optional(),
    // Media headers carry header_handle etc.; an unexpected example shape must not fail the import.
    example: exampleSchema.optional().catch(undefined),
  })
  .loose();

export const graphApiTemplateSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    name: z.string(),
    language: z.string(),
    category: z.string(),
    status: z.string(),
    rejected_reason: z.string().optional(),
    components: z.array(graphComponentSchema).default([]),
  })
  .loose();

function fromGraphApiButton(
  button: z.infer<typeof graphButtonSchema>,
  unsupported: string[],
): TemplateButton | undefined {
  const text = button.text ?? '';
  const type = button.type.toUpperCase();
  if (type === 'QUICK_REPLY') return { type: 'QUICK_REPLY', text };
  if (type === 'URL' && button.url !== undefined) {
    if (button.url.includes('{{')) unsupported.push('button:URL_VARIABLE');
    return { type: 'URL', text, url: button.url };
  }
  if (type === 'PHONE_NUMBER' && button.phone_number !== undefined) {
    return { type: 'PHONE_NUMBER', text, phoneNumber: button.phone_number };
  }
  unsupported.push(`button:${type}`);
  return undefined;
}

/**
 * Parses one template from `GET /{WABA-ID}/message_templates`. Throws a
 * ZodError when the essentials (id, name, language, category, status) are
 * missing; unknown component types and extra fields are tolerated.
 */
export function fromGraphApiTemplate(json: unknown): GraphApiTemplate {
  const raw = graphApiTemplateSchema.parse(json);
  const unsupported: string[] = [];
  const template: GraphApiTemplate = {
    id: raw.id,
    name: raw.name,
    language: raw.language,
    category: raw.category,
    status: raw.status,
    body: '',
    buttons: [],
    bodyExamples: [],
    unsupported,
  };
  // Meta reports "NONE" for templates that were never rejected.
  if (raw.rejected_reason !== undefined && raw.rejected_reason !== 'NONE') template.rejectedReason = raw.rejected_reason;

  // Component types arrive upper-case from Meta but lower-case in some examples.
  for (const component of raw.components) {
    switch (component.type.toUpperCase()) {
      case 'HEADER': {
        const format = (component.format ?? 'TEXT').toUpperCase();
        template.headerFormat = format;
        if (format === 'TEXT') {
          if (component.text !== undefined) template.header = component.text;
          const example = component.example?.header_text?.[0];
          if (example !== undefined) template.headerExample = example;
        } else {
          unsupported.push(`header:${format}`);
        }
        break;
      }
      case 'BODY':
        template.body = component.text ?? '';
        template.bodyExamples = component.example?.body_text?.[0] ?? [];
        break;
      case 'FOOTER':
        if (component.text !== undefined) template.footer = component.text;
        break;
      case 'BUTTONS':
        for (const button of component.buttons ?? []) {
          const parsed = fromGraphApiButton(button, unsupported);
          if (parsed) template.buttons.push(parsed);
        }
        break;
      default:
        unsupported.push(`component:${component.type.toUpperCase()}`);
    }
  }
  return template;
}

// --------------------------------------------------------- Graph API: send

export type TemplateSendComponent =
  | { type: 'header'; parameters: { type: 'text'; text: string }[] }
  | { type: 'body'; parameters: { type: 'text'; text: string }[] };

/** `template.components` of a `type: template` message; empty when the template has no variables. */
export function templateSendComponents(values: TemplateValues): TemplateSendComponent[] {
  const components: TemplateSendComponent[] = [];
  if (values.header !== undefined) {
    components.push({ type: 'header', parameters: [{ type: 'text', text: values.header }] });
  }
  if (values.body.length > 0) {
    components.push({ type: 'body', parameters: values.body.map((text) => ({ type: 'text' as const, text })) });
  }
  return components;
}
