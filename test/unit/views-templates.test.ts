import type { TemplateIssue } from '../../src/domain/templates';
import { strings } from '../../src/i18n';
import {
  FORM_BLOCKS,
  deleteConfirmView,
  formErrors,
  issueBlockId,
  issueText,
  sendTemplateView,
  sentTemplateMessage,
  templateFormView,
  templateListView,
  type TemplateRow,
} from '../../src/bot/views/templates';
import { draftFromForm, formFromDraft, type TemplateFormValues } from '../../src/templates/form';

const en = strings('en').templates;
const id = strings('id').templates;

const row = (n: number, over: Partial<TemplateRow> = {}): TemplateRow => ({
  id: `t${n}`,
  name: `tpl_${n}`,
  language: 'en_US',
  category: 'UTILITY',
  status: 'APPROVED',
  enabled: true,
  body: 'Hello {{1}}, thanks.',
  ...over,
});

const text = (v: unknown) => JSON.stringify(v);

describe('template list view', () => {
  it('shows no paging when everything fits on one page', () => {
    const view = templateListView(en, { account: { id: 'a1', name: 'Sales' }, templates: [row(1)], page: 0, total: 1 });
    expect(view.blocks.some((b) => b.block_id === 'tpl_paging')).toBe(false);
  });

  it('offers only Next on the first page and only Previous on the last', () => {
    const first = templateListView(en, { account: { id: 'a1', name: 'S' }, templates: [row(1)], page: 0, total: 11, pageSize: 10 });
    const paging = first.blocks.find((b) => b.block_id === 'tpl_paging');
    expect(text(paging)).toContain('templates.page.next');
    expect(text(paging)).not.toContain('templates.page.prev');
    const last = templateListView(en, { account: { id: 'a1', name: 'S' }, templates: [row(11)], page: 1, total: 11, pageSize: 10 });
    const lastPaging = last.blocks.find((b) => b.block_id === 'tpl_paging');
    expect(text(lastPaging)).toContain('templates.page.prev');
    expect(text(lastPaging)).not.toContain('templates.page.next');
    expect(text(last)).toContain('Templates 11–11 of 11');
  });

  it('shows the rejection reason only for rejected templates and offers the opposite switch', () => {
    const view = templateListView(en, {
      account: { id: 'a1', name: 'S' },
      templates: [row(1, { status: 'REJECTED', rejectedReason: 'ABUSIVE_CONTENT', enabled: false }), row(2, { rejectedReason: 'OLD' })],
      page: 0,
      total: 2,
    });
    expect(text(view)).toContain('Reason: ABUSIVE_CONTENT');
    expect(text(view)).not.toContain('Reason: OLD');
    expect(text(view)).toContain('"value":"t1:on"');
    expect(text(view)).toContain('"value":"t2:off"');
  });

  it('cuts long bodies in the preview', () => {
    const view = templateListView(en, { account: { id: 'a1', name: 'S' }, templates: [row(1, { body: 'x'.repeat(400) })], page: 0, total: 1 });
    expect(text(view)).toContain('x'.repeat(149) + '…');
    expect(text(view)).not.toContain('x'.repeat(150));
  });

  it('keeps the modal title within Slack\'s 24 characters in both languages', () => {
    for (const t of [en, id]) {
      const view = templateListView(t, { account: { id: 'a', name: 'S' }, templates: [], page: 0, total: 0 });
      expect(view.title.text.length).toBeLessThanOrEqual(24);
      expect(deleteConfirmView(t, { template: { id: 'x', name: 'n', language: 'en' }, listViewId: 'V', listPage: 0 }).title.text.length).toBeLessThanOrEqual(24);
    }
  });
});

describe('form errors', () => {
  it('puts a header example issue on the header example input, body ones on the examples input', () => {
    expect(issueBlockId({ field: 'examples', code: 'example_missing', params: { part: 'header', variable: 1 } })).toBe(FORM_BLOCKS.headerExample);
    expect(issueBlockId({ field: 'examples', code: 'example_missing', params: { part: 'body', variable: 2 } })).toBe(FORM_BLOCKS.examples);
  });

  it('joins several issues of one field and localizes them', () => {
    const issues: TemplateIssue[] = [
      { field: 'name', code: 'invalid_characters' },
      { field: 'name', code: 'too_long', params: { max: 512, length: 600 } },
    ];
    expect(formErrors(en, issues)).toEqual({
      tpl_name: 'Use only lowercase letters, digits and underscores. At most 512 characters (this has 600).',
    });
    expect(formErrors(id, issues).tpl_name).toBe('Gunakan hanya huruf kecil, angka, dan garis bawah. Paling banyak 512 karakter (saat ini 600).');
  });

  it('falls back to the code for an issue it has no words for', () => {
    expect(issueText(en, { field: 'body', code: 'brand_new_rule' })).toBe('Invalid value (brand_new_rule).');
  });

  it('has Indonesian words for every English issue code', () => {
    expect(Object.keys(id.issues).sort()).toEqual(Object.keys(en.issues).sort());
  });
});

describe('form values ↔ draft', () => {
  const values: TemplateFormValues = {
    name: ' order_ready ',
    language: 'en_US',
    category: 'MARKETING',
    header: '',
    headerExample: '',
    body: 'Hi {{1}}!',
    footer: '  ',
    buttons: 'Quick Reply | Yes\n\nURL | Go | https://x.example\nphone | Call | +6281234567890',
    examples: 'Budi\n\n',
  };

  it('reads buttons line by line, skipping blank lines, and drops trailing blank examples', () => {
    const { draft, issues } = draftFromForm(values);
    expect(issues).toEqual([]);
    expect(draft).toMatchObject({ name: 'order_ready', header: undefined, footer: undefined, bodyExamples: ['Budi'] });
    expect(draft.buttons).toEqual([
      { type: 'QUICK_REPLY', text: 'Yes' },
      { type: 'URL', text: 'Go', url: 'https://x.example' },
      { type: 'PHONE_NUMBER', text: 'Call', phoneNumber: '+6281234567890' },
    ]);
  });

  it('reports unreadable button lines by their line number and an unchosen category', () => {
    const { issues } = draftFromForm({ ...values, category: '', buttons: 'url | Go\nquick_reply | Ok' });
    expect(issues).toEqual([
      { field: 'buttons', code: 'button_line_invalid', params: { line: 1 } },
      { field: 'category', code: 'required' },
    ]);
  });

  it('gives back the same draft after a round trip through the form (Back)', () => {
    const { draft } = draftFromForm(values);
    expect(draftFromForm(formFromDraft(draft)).draft).toEqual(draft);
  });

  it('fills the form with the draft it was given', () => {
    const view = templateFormView(en, { accountId: 'a1', values: { ...values, category: 'UTILITY' }, error: 'WhatsApp said no' });
    expect(text(view.blocks[0])).toContain('WhatsApp said no');
    expect(text(view)).toContain('"initial_option":{"text":{"type":"plain_text","text":"Utility","emoji":true},"value":"UTILITY"}');
  });
});

describe('send views', () => {
  it('says so when there is nothing to send, and has no Send button then', () => {
    const view = sendTemplateView(en, { accountId: 'a', waId: '62811', templates: [] });
    expect(view.submit).toBeUndefined();
    expect(text(view)).toContain('no approved template');
  });

  it('escapes customer-facing values in the thread so nobody can @channel through a variable', () => {
    const message = sentTemplateMessage(en, {
      userId: 'U1',
      name: 'order_ready',
      language: 'en_US',
      rendered: { body: 'Hi <!channel> & co' },
    });
    expect(text(message.blocks)).toContain('Hi &lt;!channel&gt; &amp; co');
    expect(text(message.blocks)).not.toContain('<!channel>');
  });
});
