import {
  bodyVariableCount,
  fromGraphApiTemplate,
  renderTemplate,
  templateSendComponents,
  toGraphApiTemplate,
  validateTemplateDraft,
  type TemplateDraft,
  type TemplateIssue,
} from '../../src/domain/templates';

const valid: TemplateDraft = {
  name: 'order_ready_2',
  language: 'en_US',
  category: 'UTILITY',
  header: 'Order {{1}}',
  body: 'Hi {{1}}, your order {{2}} is ready. Thanks, {{1}}!',
  footer: 'Reply STOP to opt out',
  buttons: [
    { type: 'QUICK_REPLY', text: 'Thanks' },
    { type: 'URL', text: 'Track', url: 'https://shop.example.com/track' },
    { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+6281234567890' },
  ],
  bodyExamples: ['Budi', 'A-42'],
  headerExample: 'A-42',
};

const issuesOf = (patch: Partial<TemplateDraft>, existing: { name: string; language: string }[] = []) =>
  validateTemplateDraft({ ...valid, ...patch }, existing);
const codes = (issues: TemplateIssue[]) => issues.map((i) => `${i.field}:${i.code}`);

describe('validateTemplateDraft', () => {
  it('accepts a complete valid draft', () => {
    expect(issuesOf({})).toEqual([]);
  });

  it('accepts a minimal draft with no header, footer, buttons or variables', () => {
    expect(
      issuesOf({ header: undefined, footer: undefined, buttons: [], body: 'Hello there', bodyExamples: [], headerExample: undefined }),
    ).toEqual([]);
  });

  describe('name', () => {
    it('is required', () => {
      expect(codes(issuesOf({ name: '' }))).toEqual(['name:required']);
    });
    it.each(['Order_Ready', 'order-ready', 'order ready', 'pesanan_siap!'])('rejects %j', (name) => {
      expect(codes(issuesOf({ name }))).toEqual(['name:invalid_characters']);
    });
    it('accepts lowercase letters, digits and underscores', () => {
      expect(issuesOf({ name: 'a_1_z9' })).toEqual([]);
    });
    it('accepts 512 characters and rejects 513', () => {
      expect(issuesOf({ name: 'a'.repeat(512) })).toEqual([]);
      expect(issuesOf({ name: 'a'.repeat(513) })).toEqual([
        { field: 'name', code: 'too_long', params: { max: 512, length: 513 } },
      ]);
    });
    it('must be unique per language', () => {
      expect(issuesOf({}, [{ name: 'order_ready_2', language: 'en_US' }])).toEqual([
        { field: 'name', code: 'duplicate', params: { name: 'order_ready_2', language: 'en_US' } },
      ]);
    });
    it('may reuse a name in another language', () => {
      expect(issuesOf({}, [{ name: 'order_ready_2', language: 'id' }])).toEqual([]);
    });
    it('compares names case-sensitively', () => {
      expect(issuesOf({}, [{ name: 'ORDER_READY_2', language: 'en_US' }])).toEqual([]);
    });
  });

  describe('language', () => {
    it('is required', () => {
      expect(codes(issuesOf({ language: '' }))).toEqual(['language:required']);
    });
    it.each(['en_US', 'id', 'pt_BR', 'fil'])('accepts %j', (language) => {
      expect(issuesOf({ language })).toEqual([]);
    });
    it.each(['EN', 'en-US', 'en_us', 'english', 'e'])('rejects %j', (language) => {
      expect(codes(issuesOf({ language }))).toEqual(['language:invalid_format']);
    });
  });

  describe('category', () => {
    it('rejects a category Meta does not know', () => {
      const draft = { ...valid, category: 'PROMO' } as unknown as TemplateDraft; // as a form might submit it
      expect(codes(validateTemplateDraft(draft, []))).toEqual(['category:invalid']);
    });
    it.each(['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const)('accepts %s', (category) => {
      expect(issuesOf({ category })).toEqual([]);
    });
  });

  describe('body', () => {
    it('is required, whitespace does not count', () => {
      expect(codes(issuesOf({ body: '' }))).toEqual(['body:required']);
      expect(codes(issuesOf({ body: '  \n ' }))).toEqual(['body:required']);
    });
    it('accepts 1024 characters and rejects 1025', () => {
      expect(issuesOf({ body: 'x'.repeat(1024), bodyExamples: [] })).toEqual([]);
      expect(issuesOf({ body: 'x'.repeat(1025), bodyExamples: [] })).toEqual([
        { field: 'body', code: 'too_long', params: { max: 1024, length: 1025 } },
      ]);
    });
    it('counts an emoji as one character', () => {
      expect(issuesOf({ body: '🙂'.repeat(1024), bodyExamples: [] })).toEqual([]);
    });
  });

  describe('header and footer', () => {
    it('accept 60 characters and reject 61', () => {
      expect(issuesOf({ header: 'h'.repeat(60), footer: 'f'.repeat(60) })).toEqual([]);
      expect(codes(issuesOf({ header: 'h'.repeat(61) }))).toEqual(['header:too_long']);
      expect(codes(issuesOf({ footer: 'f'.repeat(61) }))).toEqual(['footer:too_long']);
    });
    it('footer may not contain variables, well formed or not', () => {
      expect(codes(issuesOf({ footer: 'Sent to {{1}}' }))).toEqual(['footer:variables_not_allowed']);
      expect(codes(issuesOf({ footer: 'Sent to {{name}}' }))).toEqual(['footer:variables_not_allowed']);
    });
    it('header may hold at most one variable', () => {
      expect(codes(issuesOf({ header: 'Order {{1}} for {{1}}' }))).toEqual(['header:too_many_variables']);
    });
    it('header variable must be {{1}}', () => {
      expect(issuesOf({ header: 'Order {{2}}' })).toEqual([
        { field: 'header', code: 'variables_not_sequential', params: { expected: 1, found: 2 } },
      ]);
    });
    it('header variable needs an example', () => {
      expect(issuesOf({ headerExample: ' ' })).toEqual([
        { field: 'examples', code: 'example_missing', params: { part: 'header', variable: 1 } },
      ]);
    });
    it('header without a variable needs no example', () => {
      expect(issuesOf({ header: 'Your order', headerExample: undefined })).toEqual([]);
    });
  });

  describe('body variables', () => {
    it('must not skip a number', () => {
      expect(issuesOf({ body: 'Hi {{1}}, order {{3}} ready', bodyExamples: ['a', 'b', 'c'] })).toEqual([
        { field: 'body', code: 'variables_not_sequential', params: { expected: 2, found: 3 } },
      ]);
    });
    it('must start from {{1}}', () => {
      expect(codes(issuesOf({ body: 'Hi {{2}} and {{1}} there', bodyExamples: ['a', 'b'] }))).toEqual([
        'body:variables_not_sequential',
      ]);
    });
    it('may repeat a number', () => {
      expect(issuesOf({ body: 'Hi {{1}}, bye {{1}}.', bodyExamples: ['a'] })).toEqual([]);
    });
    it('may not open the body, even after whitespace', () => {
      expect(codes(issuesOf({ body: '  {{1}}, your order is ready', bodyExamples: ['a'] }))).toEqual([
        'body:variable_at_start',
      ]);
    });
    it('may not close the body, even before whitespace', () => {
      expect(codes(issuesOf({ body: 'Your order is {{1}} \n', bodyExamples: ['a'] }))).toEqual(['body:variable_at_end']);
    });
    it('may be followed by punctuation at the end', () => {
      expect(issuesOf({ body: 'Your order is {{1}}.', bodyExamples: ['a'] })).toEqual([]);
    });
    it.each(['Hi {{1}}{{2}} there', 'Hi {{1}}  {{2}} there', 'Hi {{1}}\n{{2}} there'])(
      'may not stand side by side: %j',
      (body) => {
        expect(issuesOf({ body, bodyExamples: ['a', 'b'] })).toEqual([
          { field: 'body', code: 'variables_adjacent', params: { first: '{{1}}', second: '{{2}}' } },
        ]);
      },
    );
    it('may be separated by any non-space text', () => {
      expect(issuesOf({ body: 'Hi {{1}}, {{2}} there', bodyExamples: ['a', 'b'] })).toEqual([]);
    });
    it.each([
      ['Hi {{ 1 }} there', '{{ 1 }}'],
      ['Hi {{a}} there', '{{a}}'],
      ['Hi {{0}} there', '{{0}}'],
      ['Hi {{1} there', '{{'],
      ['Hi 1}} there', '}}'],
    ])('reports malformed braces in %j', (body, token) => {
      expect(issuesOf({ body, bodyExamples: [] })).toEqual([
        { field: 'body', code: 'variable_malformed', params: { token } },
      ]);
    });
    it('needs a non-empty example for every variable', () => {
      expect(issuesOf({ bodyExamples: ['Budi'] })).toEqual([
        { field: 'examples', code: 'example_missing', params: { part: 'body', variable: 2 } },
      ]);
      expect(issuesOf({ bodyExamples: ['', 'A-42'] })).toEqual([
        { field: 'examples', code: 'example_missing', params: { part: 'body', variable: 1 } },
      ]);
    });
  });

  describe('buttons', () => {
    const quick = (text: string) => ({ type: 'QUICK_REPLY' as const, text });

    it('allows 10 and rejects 11', () => {
      expect(issuesOf({ buttons: Array.from({ length: 10 }, (_, i) => quick(`B${i}`)) })).toEqual([]);
      expect(issuesOf({ buttons: Array.from({ length: 11 }, (_, i) => quick(`B${i}`)) })).toEqual([
        { field: 'buttons', code: 'too_many', params: { max: 10, found: 11 } },
      ]);
    });
    it('need text, numbered from 1 for people', () => {
      expect(issuesOf({ buttons: [quick('ok'), quick(' ')] })).toEqual([
        { field: 'buttons', code: 'button_text_required', params: { button: 2 } },
      ]);
    });
    it('allow 25 characters of text and reject 26', () => {
      expect(issuesOf({ buttons: [quick('b'.repeat(25))] })).toEqual([]);
      expect(issuesOf({ buttons: [quick('b'.repeat(26))] })).toEqual([
        { field: 'buttons', code: 'button_text_too_long', params: { button: 1, max: 25, length: 26 } },
      ]);
    });
    it.each(['http://example.com', 'https://example.com/a?b=c'])('accepts URL %j', (url) => {
      expect(issuesOf({ buttons: [{ type: 'URL', text: 'Open', url }] })).toEqual([]);
    });
    it.each(['example.com', 'ftp://example.com', 'javascript:alert(1)', ''])('rejects URL %j', (url) => {
      expect(issuesOf({ buttons: [{ type: 'URL', text: 'Open', url }] })).toEqual([
        { field: 'buttons', code: 'button_url_invalid', params: { button: 1 } },
      ]);
    });
    it('rejects dynamic URLs, which sending cannot fill', () => {
      expect(codes(issuesOf({ buttons: [{ type: 'URL', text: 'Open', url: 'https://x.example/{{1}}' }] }))).toEqual([
        'buttons:button_url_variable_not_supported',
      ]);
    });
    it.each(['+12345678', '+123456789012345'])('accepts phone %j', (phoneNumber) => {
      expect(issuesOf({ buttons: [{ type: 'PHONE_NUMBER', text: 'Call', phoneNumber }] })).toEqual([]);
    });
    it.each(['081234567890', '+1234567', '+1234567890123456', '+62 812 3456', ''])('rejects phone %j', (phoneNumber) => {
      expect(issuesOf({ buttons: [{ type: 'PHONE_NUMBER', text: 'Call', phoneNumber }] })).toEqual([
        { field: 'buttons', code: 'button_phone_invalid', params: { button: 1 } },
      ]);
    });
  });

  it('reports every problem at once', () => {
    const issues = validateTemplateDraft(
      { ...valid, name: 'Bad Name', language: 'xx-YY', body: '{{1}}', bodyExamples: [], footer: '{{1}}' },
      [],
    );
    expect(codes(issues)).toEqual([
      'name:invalid_characters',
      'language:invalid_format',
      'body:variable_at_start',
      'body:variable_at_end',
      'examples:example_missing',
      'footer:variables_not_allowed',
    ]);
  });
});

describe('bodyVariableCount', () => {
  it.each([
    ['No variables', 0],
    ['Hi {{1}} and {{1}}', 1],
    ['{{1}} {{2}} {{3}}', 3],
    ['Hi {{1}}, {{3}}', 3],
    ['Hi {{ 1 }}', 0],
  ])('%j has %i', (body, count) => {
    expect(bodyVariableCount(body)).toBe(count);
  });
});

describe('renderTemplate', () => {
  it('substitutes header and body variables, repeated ones included, and keeps the footer', () => {
    expect(renderTemplate(valid, { body: ['Budi', 'A-42'], header: 'A-42' })).toEqual({
      header: 'Order A-42',
      body: 'Hi Budi, your order A-42 is ready. Thanks, Budi!',
      footer: 'Reply STOP to opt out',
    });
  });
  it('keeps placeholders that have no value yet, for the preview', () => {
    expect(renderTemplate(valid, { body: ['Budi'] })).toEqual({
      header: 'Order {{1}}',
      body: 'Hi Budi, your order {{2}} is ready. Thanks, Budi!',
      footer: 'Reply STOP to opt out',
    });
  });
  it('does not re-expand placeholders inside values', () => {
    expect(renderTemplate({ body: 'A {{1}} B {{2}}' }, { body: ['{{2}}', 'x'] }).body).toBe('A {{2}} B x');
  });
  it('leaves out an empty header and footer', () => {
    expect(renderTemplate({ header: '', body: 'Hi', footer: ' ' }, { body: [] })).toEqual({ body: 'Hi' });
  });
});

describe('toGraphApiTemplate', () => {
  it('produces the message_templates request body (names as in the OpenAPI examples)', () => {
    expect(toGraphApiTemplate(valid)).toEqual({
      name: 'order_ready_2',
      language: 'en_US',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['A-42'] } },
        {
          type: 'BODY',
          text: 'Hi {{1}}, your order {{2}} is ready. Thanks, {{1}}!',
          example: { body_text: [['Budi', 'A-42']] },
        },
        { type: 'FOOTER', text: 'Reply STOP to opt out' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Thanks' },
            { type: 'URL', text: 'Track', url: 'https://shop.example.com/track' },
            { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+6281234567890' },
          ],
        },
      ],
    });
  });
  it('sends only BODY for a plain template and no examples without variables', () => {
    expect(
      toGraphApiTemplate({ ...valid, header: undefined, footer: '', buttons: [], body: 'Hello', bodyExamples: ['stale'] }),
    ).toEqual({ name: 'order_ready_2', language: 'en_US', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hello' }] });
  });
  it('sends a static header without an example and drops stale extra body examples', () => {
    const json = toGraphApiTemplate({ ...valid, header: 'Your order', bodyExamples: ['Budi', 'A-42', 'old'] });
    expect(json.components[0]).toEqual({ type: 'HEADER', format: 'TEXT', text: 'Your order' });
    expect(json.components[1]).toMatchObject({ example: { body_text: [['Budi', 'A-42']] } });
  });
});

describe('fromGraphApiTemplate', () => {
  it('round-trips a draft through the Graph API shape', () => {
    const json = { ...toGraphApiTemplate(valid), id: '920070352646140', status: 'PENDING' };
    const template = fromGraphApiTemplate(JSON.parse(JSON.stringify(json)));
    expect(template).toEqual({
      id: '920070352646140',
      name: valid.name,
      language: valid.language,
      category: valid.category,
      status: 'PENDING',
      header: valid.header,
      headerFormat: 'TEXT',
      body: valid.body,
      footer: valid.footer,
      buttons: valid.buttons,
      bodyExamples: valid.bodyExamples,
      headerExample: valid.headerExample,
      unsupported: [],
    });
  });

  it('parses the GET message_templates example from the OpenAPI description', () => {
    // data[1] of getTemplateByNameDefaultFields' example response, plus a rejection reason.
    const template = fromGraphApiTemplate({
      category: 'MARKETING',
      components: [
        { format: 'TEXT', text: 'Fall Sale', type: 'HEADER' },
        {
          example: { body_text: [['Mark', 'FALL25']] },
          text: 'Hi {{1}}, our Fall Sale is on! Use promo code {{2}} Get an extra 25% off every order above $350!',
          type: 'BODY',
        },
        { text: 'Not interested in any of our sales? Tap Stop Promotions', type: 'FOOTER' },
        { buttons: [{ text: 'Stop promotions', type: 'QUICK_REPLY' }], type: 'BUTTONS' },
      ],
      id: '920070352646140',
      language: 'en_US',
      name: '2023_april_promo',
      previous_category: 'ACCOUNT_UPDATE',
      status: 'REJECTED',
      rejected_reason: 'PROMOTIONAL',
    });
    expect(template).toMatchObject({
      id: '920070352646140',
      name: '2023_april_promo',
      category: 'MARKETING',
      status: 'REJECTED',
      rejectedReason: 'PROMOTIONAL',
      header: 'Fall Sale',
      footer: 'Not interested in any of our sales? Tap Stop Promotions',
      bodyExamples: ['Mark', 'FALL25'],
      buttons: [{ type: 'QUICK_REPLY', text: 'Stop promotions' }],
      unsupported: [],
    });
    expect(template.headerExample).toBeUndefined();
  });

  it('imports templates created elsewhere, marking what cannot be sent', () => {
    // Shapes from the "document header ... phone number button and URL button" and OTP create examples.
    const template = fromGraphApiTemplate({
      id: 1234,
      name: 'order_confirmation',
      language: 'en_US',
      category: 'UTILITY',
      status: 'APPROVED',
      rejected_reason: 'NONE',
      quality_score: { score: 'GREEN' },
      components: [
        { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['4::abc'] } },
        { type: 'BODY', text: 'Thank you, {{1}}!', example: { body_text: [['Mark']] } },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'PHONE_NUMBER', text: 'Call', phone_number: '16467043595' },
            { type: 'URL', text: 'Contact Support', url: 'https://www.examplesite.com/support' },
            { type: 'OTP', otp_type: 'COPY_CODE', text: 'Copy Code' },
          ],
        },
        { type: 'CAROUSEL', cards: [] },
      ],
    });
    expect(template.id).toBe('1234');
    expect(template.rejectedReason).toBeUndefined();
    expect(template.header).toBeUndefined();
    expect(template.headerFormat).toBe('DOCUMENT');
    expect(template.body).toBe('Thank you, {{1}}!');
    expect(template.buttons).toEqual([
      { type: 'PHONE_NUMBER', text: 'Call', phoneNumber: '16467043595' },
      { type: 'URL', text: 'Contact Support', url: 'https://www.examplesite.com/support' },
    ]);
    expect(template.unsupported).toEqual(['header:DOCUMENT', 'button:OTP', 'component:CAROUSEL']);
  });

  it('accepts an authentication template whose body has no text and lower-case component types', () => {
    const template = fromGraphApiTemplate({
      id: '1',
      name: 'otp',
      language: 'id',
      category: 'AUTHENTICATION',
      status: 'PAUSED',
      components: [
        { type: 'body', add_security_recommendation: true },
        { type: 'FOOTER', code_expiration_minutes: 10 },
      ],
    });
    expect(template).toMatchObject({ body: '', status: 'PAUSED', bodyExamples: [], unsupported: [] });
    expect(template.footer).toBeUndefined();
  });

  it('treats a missing components list as empty', () => {
    expect(
      fromGraphApiTemplate({ id: '1', name: 'x', language: 'en', category: 'UTILITY', status: 'SOMETHING_NEW' }),
    ).toMatchObject({ body: '', buttons: [], status: 'SOMETHING_NEW' });
  });

  it.each([
    ['no id', { name: 'x', language: 'en', category: 'UTILITY', status: 'APPROVED' }],
    ['no status', { id: '1', name: 'x', language: 'en', category: 'UTILITY' }],
    ['components not a list', { id: '1', name: 'x', language: 'en', category: 'UTILITY', status: 'APPROVED', components: 'x' }],
    ['not an object', 'hello'],
  ])('rejects a template with %s', (_label, json) => {
    expect(() => fromGraphApiTemplate(json)).toThrow();
  });
});

describe('templateSendComponents', () => {
  it('gives text parameters for header and body, in order', () => {
    expect(templateSendComponents({ header: 'A-42', body: ['Budi', 'A-42'] })).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'A-42' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Budi' },
          { type: 'text', text: 'A-42' },
        ],
      },
    ]);
  });
  it('is empty for a template without variables', () => {
    expect(templateSendComponents({ body: [] })).toEqual([]);
  });
  it('sends only body parameters when the header has no variable', () => {
    expect(templateSendComponents({ body: ['Budi'] })).toEqual([
      { type: 'body', parameters: [{ type: 'text', text: 'Budi' }] },
    ]);
  });
});
