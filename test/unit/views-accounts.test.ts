import type { InputBlock } from '@slack/types';
import { credentialProblem } from '../../src/accounts/credentials';
import { validateConnectForm, validateSettingsForm } from '../../src/accounts/form';
import type { AccountSummary } from '../../src/accounts/service';
import { webhookUrl } from '../../src/accounts/service';
import {
  accountListBlocks,
  kindLabel,
  connectModal,
  fieldErrorText,
  fieldErrorsResponse,
  settingsModal,
} from '../../src/bot/views/accounts';
import { helpMessage } from '../../src/bot/views/help';
import { buildHomeView } from '../../src/bot/views/home';
import { accountKind, kindTraits } from '../../src/accounts/kind';
import { strings } from '../../src/i18n';
import { WhatsAppApiError } from '../../src/whatsapp/provider';

const en = strings('en');
const id = strings('id');

const sales: AccountSummary = {
  id: '65a000000000000000000001',
  name: 'Sales <EU>',
  kind: 'cloud',
  retired: false,
  templatesManaged: true,
  apiUrl: 'https://graph.facebook.com/v23.0',
  phoneNumberId: '1234',
  displayPhoneNumber: '+62 812 0000',
  verifiedName: 'Acme',
  channelId: 'C0SALES',
  locale: 'en',
  enabled: true,
  tokenHint: '••••1a2b',
  webhookUrl: 'https://wadesk.example.com/webhooks/whatsapp/65a000000000000000000001',
  verifyToken: 'verify-me',
};
const support: AccountSummary = {
  ...sales,
  id: '65a000000000000000000002',
  name: 'Support',
  kind: 'bsp',
  apiUrl: 'https://waba-v2.360dialog.io',
  apiKeyHeader: 'D360-API-KEY',
  templatesManaged: false,
  enabled: false,
  webhookUrl: 'https://wadesk.example.com/webhooks/whatsapp/65a000000000000000000002/s3cret',
  verifyToken: undefined,
};
const gateway: AccountSummary = { ...support, id: '65a000000000000000000003', name: 'Gateway', kind: 'onprem', retired: true, enabled: true, webhookUrl: undefined };

const json = (v: unknown) => JSON.stringify(v);

describe('the account list', () => {
  it('shows admins each account with number, status, webhook URL, verify token and all five buttons', () => {
    const blocks = accountListBlocks(en, [sales], { isAdmin: true });
    const text = json(blocks);
    expect(text).toContain('+62 812 0000 (Acme)');
    expect(text).toContain(sales.webhookUrl);
    expect(text).toContain('verify-me');
    expect(text).toContain('Sales &lt;EU&gt;');
    const actions = blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(actions.map((e) => ('action_id' in e ? e.action_id : ''))).toEqual([
      'accounts.add',
      'accounts.toggle',
      'accounts.settings',
      'templates.open',
      'replies.manage',
      'accounts.disconnect',
    ]);
    const disconnect = actions.find((e) => 'action_id' in e && e.action_id === 'accounts.disconnect');
    expect(disconnect && 'confirm' in disconnect && disconnect.confirm).toBeTruthy();
  });

  it('explains what OFF means and offers to switch it on', () => {
    const text = json(accountListBlocks(en, [support], { isAdmin: true }));
    expect(text).toContain(en.accounts.offExplained);
    expect(text).toContain(en.accounts.toggleOn);
    expect(text).not.toContain('verify-me');
  });

  it('gives non-admins no webhook secrets and no buttons that change accounts', () => {
    const text = json(accountListBlocks(en, [sales], { isAdmin: false }));
    expect(text).not.toContain(sales.webhookUrl);
    expect(text).not.toContain('verify-me');
    expect(text).not.toMatch(/accounts\.(add|toggle|settings|disconnect)/);
    expect(text).toContain('templates.open');
  });

  it('says so when there is no account, and speaks Indonesian', () => {
    expect(json(accountListBlocks(id, [], { isAdmin: true }))).toContain(id.accounts.listEmptyAdmin);
    expect(json(accountListBlocks(id, [sales], { isAdmin: true, notice: id.common.successfullyUpdated }))).toContain('Berhasil diperbarui!');
  });

  it("names each account's channel language in its own words", () => {
    expect(json(accountListBlocks(en, [sales], { isAdmin: false }))).toContain('Language: English');
    expect(json(accountListBlocks(id, [{ ...sales, locale: 'id' }], { isAdmin: false }))).toContain('Bahasa: Bahasa Indonesia');
  });

  it('marks a retired On-Premises account, explains it, and offers the move instead of Settings and ON/OFF', () => {
    for (const t of [en, id]) {
      const blocks = accountListBlocks(t, [gateway], { isAdmin: true });
      const text = json(blocks);
      expect(text).toContain(t.platform.retired);
      expect(text).toContain(t.platform.retiredExplained);
      expect(text).toContain('"action_id":"accounts.move"');
      expect(text).not.toContain('"action_id":"accounts.settings"');
      expect(text).not.toContain('"action_id":"accounts.toggle"');
      expect(text).not.toContain('webhooks/whatsapp');
    }
  });

  it('labels a BSP account and gives its secret webhook URL with the provider help', () => {
    const text = json(accountListBlocks(en, [support], { isAdmin: true }));
    expect(text).toContain('BSP (Cloud API through a provider)');
    expect(text).toContain('/s3cret');
    expect(text).toContain(en.accounts.webhookHelpOnprem);
  });

  it('keeps block ids unique within a view', () => {
    const blocks = accountListBlocks(en, [sales, support, gateway], { isAdmin: true });
    const ids = blocks.flatMap((b) => (b.block_id ? [b.block_id] : []));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the connect modal', () => {
  it('defaults to the Cloud API and its URL, and never carries a token back', () => {
    const view = connectModal(en, { privateMetadata: '{}', values: { name: 'Sales', apiUrl: 'https://x.test' }, errors: { token: { code: 'token_rejected', params: { detail: 'Invalid OAuth access token.', code: '190' } } } });
    const text = json(view);
    expect(view.callback_id).toBe('accounts.connect');
    expect(text).toContain('https://x.test');
    expect(text).toContain('WhatsApp rejected the token (code 190)');
    const blank = json(connectModal(en, { privateMetadata: '{}' }));
    expect(blank).toContain('https://graph.facebook.com/v23.0');
    expect(blank).toMatch(/"initial_option":\{[^}]*"text":"Cloud API"/);
  });

  it("offers the channel language, starting from the given one (the admin's), else English", () => {
    const initialOf = (view: ReturnType<typeof connectModal>) => {
      const block = view.blocks.find((b): b is InputBlock => b.type === 'input' && b.block_id === 'locale');
      const element = block?.element;
      return element?.type === 'static_select' ? { initial: element.initial_option?.value, options: element.options?.map((o) => o.value) } : undefined;
    };
    expect(initialOf(connectModal(id, { privateMetadata: '{}', values: { locale: 'id' } }))).toEqual({ initial: 'id', options: ['en', 'id'] });
    expect(initialOf(connectModal(en, { privateMetadata: '{}' }))?.initial).toBe('en');
    expect(initialOf(connectModal(en, { privateMetadata: '{}', values: { locale: 'fr' } }))?.initial).toBe('en');
    expect(initialOf(settingsModal(en, { ...sales, locale: 'id' }, { privateMetadata: '{}' }))?.initial).toBe('id');
    expect(initialOf(settingsModal(en, sales, { privateMetadata: '{}', values: { locale: 'id' } }))?.initial).toBe('id');
  });

  it('fits Slack title limits in both languages', () => {
    for (const t of [en, id]) {
      expect(connectModal(t, { privateMetadata: '' }).title.text.length).toBeLessThanOrEqual(24);
      expect(settingsModal(t, sales, { privateMetadata: '' }).title.text.length).toBeLessThanOrEqual(24);
    }
  });

  it('asks in the settings modal for a new token without showing the old one', () => {
    const text = json(settingsModal(en, sales, { privateMetadata: '{}' }));
    expect(text).toContain('••••1a2b');
    expect(text).toContain('Save Changes');
    expect(json(settingsModal(en, support, { privateMetadata: '{}' }))).not.toContain('"block_id":"app_secret"');
  });
});

describe('connect form validation', () => {
  const valid = { name: ' Sales ', kind: 'cloud', apiUrl: 'https://graph.facebook.com/v23.0/', token: 'EAAG', phoneNumberId: '123', channelId: 'C1', locale: 'id' };

  it('trims, strips the trailing slash and accepts a complete form', () => {
    const r = validateConnectForm(valid);
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ name: 'Sales', apiUrl: 'https://graph.facebook.com/v23.0', kind: 'cloud' }) });
    expect(r.ok && r.value.locale).toBe('id');
  });

  it.each([
    ['a missing token', { token: '  ' }, 'token', 'required'],
    ['a missing name', { name: undefined }, 'name', 'required'],
    ['an invalid URL', { apiUrl: 'graph.facebook.com' }, 'api_url', 'invalid_url'],
    ['an ftp URL', { apiUrl: 'ftp://x.test' }, 'api_url', 'invalid_url'],
    ['a Cloud account without phone number ID', { phoneNumberId: '' }, 'phone_number_id', 'required'],
    ['a phone number ID with letters', { phoneNumberId: '12a' }, 'phone_number_id', 'digits_only'],
    ['a name of 81 characters', { name: 'x'.repeat(81) }, 'name', 'too_long'],
    ['no channel', { channelId: undefined }, 'channel', 'required'],
    ['no channel language', { locale: undefined }, 'locale', 'required'],
    ['a channel language wadesk does not speak', { locale: 'fr' }, 'locale', 'required'],
  ])('refuses %s on the right field', (_label, change, field, code) => {
    const r = validateConnectForm({ ...valid, ...change });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toMatchObject({ [field]: { code } });
  });

  it('accepts a name of exactly 80 characters, and a BSP without a phone number ID but with its key header', () => {
    expect(validateConnectForm({ ...valid, name: 'x'.repeat(80) }).ok).toBe(true);
    expect(validateConnectForm({ ...valid, kind: 'bsp', phoneNumberId: undefined, apiKeyHeader: 'D360-API-KEY' })).toMatchObject({ ok: true, value: { kind: 'bsp', apiKeyHeader: 'D360-API-KEY' } });
    expect(validateConnectForm({ ...valid, kind: 'bsp', phoneNumberId: undefined })).toMatchObject({ ok: false, errors: { api_key_header: { code: 'required' } } });
    expect(validateConnectForm({ ...valid, kind: 'bsp', apiKeyHeader: 'D360 API KEY' })).toMatchObject({ ok: false, errors: { api_key_header: { code: 'invalid_header' } } });
    // A Cloud account keeps no key header, whatever the prefilled field held; On-Premises can no longer be connected.
    expect(validateConnectForm({ ...valid, apiKeyHeader: 'D360-API-KEY' })).toMatchObject({ ok: true, value: { apiKeyHeader: undefined } });
    expect(validateConnectForm({ ...valid, kind: 'onprem' })).toMatchObject({ ok: false, errors: { kind: { code: 'required' } } });
  });

  it('reads the settings form, empty secrets meaning keep', () => {
    expect(validateSettingsForm({ name: 'A', enabled: 'off', channelId: 'C1', token: '' })).toEqual({
      ok: true,
      value: { name: 'A', enabled: false, channelId: 'C1', token: undefined, appSecret: undefined },
    });
    expect(validateSettingsForm({ name: 'A', enabled: 'maybe', channelId: 'C1' }).ok).toBe(false);
  });

  it('reads the channel language from the settings form; a form without it keeps the current one', () => {
    const r = validateSettingsForm({ name: 'A', enabled: 'on', channelId: 'C1', locale: 'id' });
    expect(r.ok && r.value.locale).toBe('id');
    const without = validateSettingsForm({ name: 'A', enabled: 'on', channelId: 'C1' });
    expect(without.ok && without.value.locale).toBeUndefined();
    const unknown = validateSettingsForm({ name: 'A', enabled: 'on', channelId: 'C1', locale: 'xx' });
    expect(unknown.ok ? undefined : unknown.errors).toEqual({ locale: { code: 'required' } });
  });
});

describe('credential check failures', () => {
  const api = (init: Partial<ConstructorParameters<typeof WhatsAppApiError>[0]>) =>
    new WhatsAppApiError({ kind: 'api', message: 'WhatsApp API error: boom', ...init });

  it.each([
    ['a rejected token (190)', api({ httpStatus: 401, code: 190 }), 'token', 'token_rejected'],
    ['an unknown phone number ID (100/33)', api({ httpStatus: 400, code: 100, subcode: 33 }), 'phone_number_id', 'phone_number_unknown'],
    ['a missing permission (200)', api({ httpStatus: 403, code: 200 }), 'token', 'token_lacks_permission'],
    ['a network failure', new WhatsAppApiError({ kind: 'network', message: 'x' }), 'api_url', 'unreachable'],
    ['a time-out', new WhatsAppApiError({ kind: 'timeout', message: 'x' }), 'api_url', 'unreachable'],
    ['an answer that is not WhatsApp', new WhatsAppApiError({ kind: 'invalid_response', message: 'x' }), 'api_url', 'not_whatsapp_api'],
    ['a key the BSP rejects', api({ httpStatus: 401 }), 'token', 'token_rejected'],
    ['any other refusal', api({ httpStatus: 400, code: 131000 }), 'token', 'api_error'],
  ])('puts %s on the right field', (_label, err, field, code) => {
    expect(credentialProblem(err)).toMatchObject({ field, problem: { code } });
  });

  it('turns every code into a sentence in both languages', () => {
    const problems = [
      { code: 'required' },
      { code: 'too_long', params: { max: '80' } },
      { code: 'duplicate_name', params: { name: 'Sales' } },
      { code: 'unreachable' },
      { code: 'phone_number_unknown', params: { detail: 'd', code: '100' } },
      { code: 'invalid_header' },
    ] as const;
    for (const p of problems) {
      expect(fieldErrorText(en, p)).toMatch(/\w/);
      expect(fieldErrorText(id, p)).not.toBe(fieldErrorText(en, p));
    }
    expect(fieldErrorsResponse(en, { name: { code: 'duplicate_name', params: { name: 'Sales' } } })).toEqual({
      name: en.accounts.errors.duplicate_name('Sales'),
    });
  });
});

describe('webhook URLs', () => {
  it('carries the secret in the path only for a BSP, and gives a retired account none', () => {
    expect(webhookUrl('https://w.test', { id: 'a1', webhook: 'signed' }, 's3')).toBe('https://w.test/webhooks/whatsapp/a1');
    expect(webhookUrl('https://w.test', { id: 'a1', webhook: 'secret' }, 's3')).toBe('https://w.test/webhooks/whatsapp/a1/s3');
    expect(webhookUrl('https://w.test', { id: 'a1', webhook: 'gone' }, 's3')).toBeUndefined();
  });

  it('knows every stored kind and fails loudly on any other', () => {
    expect(kindTraits('cloud')).toEqual({ kind: 'cloud', api: 'cloud', webhook: 'signed' });
    expect(kindTraits('bsp')).toEqual({ kind: 'bsp', api: 'bsp', webhook: 'secret' });
    expect(kindTraits('onprem')).toEqual({ kind: 'onprem', webhook: 'gone' });
    expect(() => kindTraits('onpremises')).toThrow('unknown WhatsApp account kind: onpremises');
  });

  it('labels every kind and names why templates are unavailable for each, failing loudly on an unknown one', () => {
    for (const t of [strings('en'), strings('id')]) {
      expect(kindLabel(t, { kind: 'cloud' })).toBe(t.accounts.kindCloud);
      expect(kindLabel(t, { kind: 'bsp' })).toBe(t.platform.kindBsp);
      expect(kindLabel(t, { kind: 'onprem' })).toBe(`${t.accounts.kindOnprem} (${t.platform.retired})`);
      expect(() => kindLabel(t, { kind: 'onpremises' as never })).toThrow('onpremises');
      expect(t.templates.unsupported[accountKind({ kind: 'bsp' })]).toBe(t.platform.bspNoTemplates);
      expect(t.templates.unsupported[accountKind({ kind: 'onprem' })]).toBe(t.platform.retiredNoSend);
    }
    expect(() => accountKind({ kind: 'Cloud' })).toThrow('unknown WhatsApp account kind: Cloud');
  });
});

describe('home and help', () => {
  it('joins non-empty sections with dividers under the header', () => {
    const view = buildHomeView(en, [[{ type: 'section', text: { type: 'mrkdwn', text: 'A' } }], [], [{ type: 'section', text: { type: 'mrkdwn', text: 'B' } }]]);
    expect(view.type).toBe('home');
    expect(view.blocks.map((b) => b.type)).toEqual(['header', 'context', 'divider', 'section', 'divider', 'section']);
  });

  it('lists every subcommand and names an unknown one, escaped', () => {
    const help = helpMessage(en, { unknownWord: '<!channel>' });
    for (const word of ['connect', 'accounts', 'templates', 'send', 'expiring', 'help']) expect(help.text).toContain(`/whatsapp ${word}`);
    expect(help.text).toContain('&lt;!channel&gt;');
    expect(help.text).not.toContain('<!channel>');
    expect(helpMessage(id).text).toContain('Gunakan');
  });
});
