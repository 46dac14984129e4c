import { TEMPLATE_CATEGORIES, type TemplateButton, type TemplateDraft, type TemplateIssue } from '../domain/templates';

/**
 * The template form as plain text fields, and its conversion to a draft. Pure.
 * Buttons are one per line, `type | text | value`; examples are one per line.
 */
export interface TemplateFormValues {
  name: string;
  language: string;
  category: string;
  header: string;
  headerExample: string;
  body: string;
  footer: string;
  buttons: string;
  examples: string;
}

const BUTTON_TYPES: Record<string, TemplateButton['type']> = {
  quick_reply: 'QUICK_REPLY',
  quickreply: 'QUICK_REPLY',
  reply: 'QUICK_REPLY',
  url: 'URL',
  phone: 'PHONE_NUMBER',
  phone_number: 'PHONE_NUMBER',
};

function parseButtons(text: string, issues: TemplateIssue[]): TemplateButton[] {
  const buttons: TemplateButton[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const [rawType = '', label = '', value = ''] = line.split('|').map((part) => part.trim());
    const type = BUTTON_TYPES[rawType.toLowerCase().replace(/[\s-]/g, '_')];
    const parts = line.split('|').length;
    if (type === 'QUICK_REPLY' && parts === 2) buttons.push({ type, text: label });
    else if (type === 'URL' && parts === 3) buttons.push({ type, text: label, url: value });
    else if (type === 'PHONE_NUMBER' && parts === 3) buttons.push({ type, text: label, phoneNumber: value });
    else issues.push({ field: 'buttons', code: 'button_line_invalid', params: { line: index + 1 } });
  });
  return buttons;
}

function formatButton(button: TemplateButton): string {
  switch (button.type) {
    case 'QUICK_REPLY':
      return `quick_reply | ${button.text}`;
    case 'URL':
      return `url | ${button.text} | ${button.url}`;
    case 'PHONE_NUMBER':
      return `phone | ${button.text} | ${button.phoneNumber}`;
  }
}

function optional(text: string): string | undefined {
  return text.trim() === '' ? undefined : text;
}

/** The draft, plus the problems only the form can have (an unreadable button line). */
export function draftFromForm(values: TemplateFormValues): { draft: TemplateDraft; issues: TemplateIssue[] } {
  const issues: TemplateIssue[] = [];
  const buttons = parseButtons(values.buttons, issues);
  const examples = values.examples.split('\n').map((line) => line.trim());
  // Trailing empty lines are not examples; inner ones are "missing" and reported by the rules.
  while (examples.length > 0 && examples[examples.length - 1] === '') examples.pop();
  const category = TEMPLATE_CATEGORIES.find((c) => c === values.category);
  // An unchosen category is reported here; the draft needs some value to be checked further.
  if (!category) issues.push({ field: 'category', code: values.category === '' ? 'required' : 'invalid' });
  const draft: TemplateDraft = {
    name: values.name.trim(),
    language: values.language.trim(),
    category: category ?? 'UTILITY',
    header: optional(values.header),
    body: values.body,
    footer: optional(values.footer),
    buttons,
    bodyExamples: examples,
    headerExample: optional(values.headerExample)?.trim(),
  };
  return { draft, issues };
}

export function formFromDraft(draft: TemplateDraft): TemplateFormValues {
  return {
    name: draft.name,
    language: draft.language,
    category: draft.category,
    header: draft.header ?? '',
    headerExample: draft.headerExample ?? '',
    body: draft.body,
    footer: draft.footer ?? '',
    buttons: draft.buttons.map(formatButton).join('\n'),
    examples: draft.bodyExamples.join('\n'),
  };
}
