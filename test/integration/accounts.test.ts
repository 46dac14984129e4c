import nock from 'nock';
import { z } from 'zod';
import { AccountModel, AuditModel, ConversationModel, TemplateModel } from '../../src/store/models';
import { bspHealthStatus, bspUnauthorized, issuedToken, templateJson, templatesPage } from '../fakes/whatsapp-contract';
import { silentUntilReleased } from '../helpers/held';
import { createAccount } from '../fixtures/conversations';
import { startTestService, type TestService } from '../helpers/service';
import { SlackDriver, SlackRecorder, connectState, waitFor, type ConnectValues } from './accounts-harness';

const GRAPH = 'https://graph.test';
const BSP = 'https://waba.bsp.test';
const CLOUD_TOKEN = issuedToken('EAAG-cloud-secret-token-0001');
const NEW_TOKEN = issuedToken('EAAG-cloud-secret-token-0002');
const BAD_TOKEN = 'EAAG-cloud-secret-token-0bad';
const BSP_KEY = issuedToken('d360-secret-api-key-7777');
const APP_SECRET = 'app-secret-value-3c4d';
const SECRETS = [CLOUD_TOKEN, NEW_TOKEN, BAD_TOKEN, BSP_KEY, APP_SECRET];

const ADMIN = 'U0ADMIN';
const MEMBER = 'U0MEMBER';
const LISTED = 'U0LISTED';
const INDO = 'U0INDO';

const cloud = (over: ConnectValues = {}): ConnectValues => ({
  name: 'Sales',
  kind: 'cloud',
  apiUrl: `${GRAPH}/v23.0`,
  token: CLOUD_TOKEN,
  phoneNumberId: '1234567890',
  wabaId: '555',
  appSecret: APP_SECRET,
  channelId: 'C0SALES',
  ...over,
});

const phoneOk = (token = CLOUD_TOKEN, id = '1234567890') =>
  nock(GRAPH)
    .get(`/v23.0/${id}`)
    .matchHeader('authorization', `Bearer ${token}`)
    .query({ fields: 'display_phone_number,verified_name,quality_rating' })
    .reply(200, { id, display_phone_number: '+62 812-0000-1111', verified_name: 'Acme Sales', quality_rating: 'GREEN' });

const graphError = (status: number, error: object) =>
  nock(GRAPH).get(/\/v23\.0\/.*/).query(true).reply(status, { error: { type: 'OAuthException', fbtrace_id: 'Atrace', ...error } });

const errorsOf = (json: Record<string, unknown> | undefined) => (json?.response_action === 'errors' ? (json.errors as Record<string, string>) : {});
const viewText = (json: Record<string, unknown> | undefined) => JSON.stringify(json?.view ?? {});

describe('WhatsApp accounts from Slack', () => {
  let service: TestService;
  let slack: SlackRecorder;
  let driver: SlackDriver;

  beforeAll(async () => {
    service = await startTestService({ ADMIN_USER_IDS: LISTED });
    slack = new SlackRecorder([
      { id: ADMIN, is_admin: true, locale: 'en-US' },
      { id: MEMBER, is_admin: false, is_owner: false, locale: 'en-US' },
      { id: LISTED, is_admin: false, locale: 'en-GB' },
      { id: INDO, is_admin: false, is_owner: true, locale: 'id-ID' },
    ]);
    slack.install();
    driver = new SlackDriver(service, slack);
  });
  afterAll(async () => {
    await service.stop();
    nock.cleanAll();
  });
  beforeEach(async () => {
    await AccountModel.deleteMany({});
    await AuditModel.deleteMany({});
    slack.clear();
  });

  async function connected(values: ConnectValues = cloud()) {
    phoneOk(values.token);
    const res = await driver.connect(ADMIN, values);
    expect(res.json?.response_action).toBe('update');
    const account = await AccountModel.findOne({ name: values.name, state: 'connected' });
    if (!account) throw new Error('account not saved');
    // The Home refresh follows the answer; wait for it so it does not land in the next step.
    await waitFor(() => slack.calls.find((c) => c.method === 'views.publish' && c.raw.includes(account.id)), 'the Home refresh');
    return account;
  }

  describe('connect', () => {
    it('connects a Cloud API account: checks it with WhatsApp, saves it sealed, shows the list with the webhook details', async () => {
      const check = phoneOk();
      const res = await driver.connect(ADMIN, cloud());
      expect(check.isDone()).toBe(true);
      expect(res.status).toBe(200);
      expect(res.json?.response_action).toBe('update');

      const account = await AccountModel.findOne({ teamId: 'T0001' }).lean();
      expect(account).toMatchObject({
        name: 'Sales',
        kind: 'cloud',
        apiUrl: `${GRAPH}/v23.0`,
        phoneNumberId: '1234567890',
        displayPhoneNumber: '+62 812-0000-1111',
        verifiedName: 'Acme Sales',
        channelId: 'C0SALES',
        enabled: true,
        state: 'connected',
        tokenHint: '••••0001',
        appSecretHint: '••••3c4d',
        createdBy: ADMIN,
      });
      expect(account?.tokenSealed).not.toContain(CLOUD_TOKEN);
      expect(service.deps.secrets.open(account?.tokenSealed ?? '')).toBe(CLOUD_TOKEN);

      const view = viewText(res.json);
      expect(view).toContain(`https://wadesk.example.com/webhooks/whatsapp/${String(account?._id)}`);
      const verifyToken = service.deps.secrets.open(account?.verifyTokenSealed ?? '');
      expect(verifyToken.length).toBeGreaterThanOrEqual(24);
      expect(view).toContain(verifyToken);
      expect(view).toContain('+62 812-0000-1111 (Acme Sales)');
      // The Home tab is refreshed with the new list.
      const home = await waitFor(() => slack.viewsOf('views.publish')[0], 'views.publish');
      expect(JSON.stringify(home)).toContain('Sales');
    });

    it("posts in the channel in the admin's language by default: the form starts there, and a form without it gets it too", async () => {
      await driver.command(INDO, 'connect');
      const modal = await waitFor(() => slack.viewsOf('views.open')[0], 'views.open');
      expect(initialLocale(modal)).toBe('id');

      phoneOk();
      const res = await driver.connect(INDO, cloud());
      expect(res.json?.response_action).toBe('update');
      expect(await AccountModel.findOne({ name: 'Sales' }).lean()).toMatchObject({ locale: 'id', createdBy: INDO });
      expect(await AuditModel.findOne({ action: 'account.connect' }).lean()).toMatchObject({ after: { locale: 'id' } });
    });

    it('stores the channel language chosen on the form, and English for an English-speaking admin', async () => {
      phoneOk();
      await driver.submit(ADMIN, 'accounts.connect', withLocale(connectState(cloud()), 'id'), JSON.stringify({ form: 'connect' }));
      const english = await connected(cloud({ name: 'Support', channelId: 'C0SUP' }));
      expect(await AccountModel.findOne({ name: 'Sales' }).lean()).toMatchObject({ locale: 'id' });
      expect(english.locale).toBe('en');
    });

    it('refuses a channel language wadesk does not speak, saving nothing', async () => {
      const res = await driver.submit(ADMIN, 'accounts.connect', withLocale(connectState(cloud()), 'fr'), JSON.stringify({ form: 'connect' }));
      expect(errorsOf(res.json).locale).toMatch(/required/);
      expect(await AccountModel.countDocuments()).toBe(0);
    });

    it('imports the templates that already exist on the WhatsApp account', async () => {
      const list = nock(GRAPH)
        .get('/v23.0/555/message_templates')
        .query(true)
        .reply(200, templatesPage([templateJson('order_update'), templateJson('promo_juli', { status: 'PENDING', language: 'id' })]));
      const account = await connected(cloud({ name: 'Imports' }));
      await waitFor(async () => (await TemplateModel.countDocuments({ accountId: account._id })) === 2 || undefined, 'the template import');
      expect(list.isDone()).toBe(true);
      const stored = await TemplateModel.find({ accountId: account._id }).sort({ name: 1 }).lean();
      expect(stored.map((t) => [t.name, t.language, t.status])).toEqual([
        ['order_update', 'en_US', 'APPROVED'],
        ['promo_juli', 'id', 'PENDING'],
      ]);
    });

    it("connects a BSP (360dialog): its key is checked in the provider's header, and the secret is in its webhook URL", async () => {
      const health = nock(BSP).get('/health_status').matchHeader('d360-api-key', BSP_KEY).reply(200, bspHealthStatus());
      const res = await driver.connect(ADMIN, { name: 'Support', kind: 'bsp', apiUrl: BSP, apiKeyHeader: 'D360-API-KEY', token: BSP_KEY, channelId: 'C0SUP' });
      expect(health.isDone()).toBe(true);
      expect(res.json?.response_action).toBe('update');
      const account = await AccountModel.findOne({ name: 'Support' }).lean();
      expect(account).toMatchObject({ kind: 'bsp', apiUrl: BSP, apiKeyHeader: 'D360-API-KEY', tokenHint: '••••7777', state: 'connected' });
      expect(account?.phoneNumberId).toBeUndefined();
      const verifyToken = service.deps.secrets.open(account?.verifyTokenSealed ?? '');
      const shown = viewText(res.json);
      expect(shown).toContain(`https://wadesk.example.com/webhooks/whatsapp/${String(account?._id)}/${verifyToken}`);
      expect(shown).toContain('BSP (Cloud API through a provider)');
    });

    it('refuses a key the provider rejects, on the token field, and a BSP without a key header', async () => {
      nock(BSP).get('/health_status').reply(401, bspUnauthorized());
      const rejected = await driver.connect(ADMIN, { name: 'Support', kind: 'bsp', apiUrl: BSP, apiKeyHeader: 'D360-API-KEY', token: BSP_KEY, channelId: 'C0SUP' });
      expect(errorsOf(rejected.json).token).toMatch(/rejected/);
      const noHeader = await driver.connect(ADMIN, { name: 'Support', kind: 'bsp', apiUrl: BSP, token: BSP_KEY, channelId: 'C0SUP' });
      expect(errorsOf(noHeader.json)).toEqual({ api_key_header: 'This field is required.' });
      const badHeader = await driver.connect(ADMIN, { name: 'Support', kind: 'bsp', apiUrl: BSP, apiKeyHeader: 'D360 API KEY', token: BSP_KEY, channelId: 'C0SUP' });
      expect(errorsOf(badHeader.json).api_key_header).toContain('without spaces');
      expect(await AccountModel.countDocuments()).toBe(0);
    });

    it.each([
      [
        'a rejected token',
        () => graphError(401, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 }),
        'token',
        /WhatsApp rejected the token \(code 190\): .*Invalid OAuth access token/,
      ],
      [
        'an unknown phone number ID',
        () =>
          graphError(400, {
            message: "Unsupported get request. Object with ID '1234567890' does not exist",
            code: 100,
            error_subcode: 33,
          }),
        'phone_number_id',
        /does not know this phone number ID.*\(code 100\).*does not exist/,
      ],
      [
        'an unreachable URL',
        () => nock(GRAPH).get(/.*/).query(true).replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }),
        'api_url',
        /^Could not reach the URL/,
      ],
    ])('shows %s on the right field and saves nothing', async (_label, intercept, field, message) => {
      const scope = intercept();
      const res = await driver.connect(ADMIN, cloud({ token: BAD_TOKEN }));
      expect(scope.isDone()).toBe(true);
      expect(res.json?.response_action).toBe('errors');
      const errors = errorsOf(res.json);
      expect(Object.keys(errors)).toEqual([field]);
      expect(errors[field]).toMatch(message);
      expect(await AccountModel.countDocuments()).toBe(0);
      expect(await AuditModel.countDocuments()).toBe(0);
    });

    it.each([
      ['an invalid URL', { apiUrl: 'graph.facebook.com/v23.0' }, 'api_url', /full URL/],
      ['a missing token', { token: '' }, 'token', /required/],
      ['a missing phone number ID for the Cloud API', { phoneNumberId: '' }, 'phone_number_id', /required/],
      ['a missing channel', { channelId: undefined }, 'channel', /required/],
    ])('refuses %s without calling WhatsApp', async (_label, change, field, message) => {
      const res = await driver.connect(ADMIN, cloud(change));
      expect(errorsOf(res.json)[field]).toMatch(message);
      expect(nock.pendingMocks().filter((m) => !m.includes('slack.test'))).toEqual([]);
      expect(await AccountModel.countDocuments()).toBe(0);
    });

    it('refuses a duplicate name, whatever its case, before calling WhatsApp', async () => {
      await connected();
      const res = await driver.connect(ADMIN, cloud({ name: '  SALES ', phoneNumberId: '999' }));
      expect(errorsOf(res.json).name).toMatch(/An account named "SALES" already exists/);
      expect(await AccountModel.countDocuments()).toBe(1);
    });

    it('connects several accounts per workspace, each on its own', async () => {
      const sales = await connected();
      const support = await connected(cloud({ name: 'Support', token: NEW_TOKEN, channelId: 'C0SUP' }));
      expect(await AccountModel.countDocuments({ teamId: 'T0001', state: 'connected' })).toBe(2);
      expect(service.deps.secrets.open(support.verifyTokenSealed)).not.toBe(service.deps.secrets.open(sales.verifyTokenSealed));
      await driver.click(ADMIN, 'accounts.toggle', sales.id, 'home');
      await waitFor(async () => (await AccountModel.findById(sales.id).lean())?.enabled === false || undefined, 'the switch');
      expect((await AccountModel.findById(support.id).lean())?.enabled).toBe(true);
    });

    it('answers a slow check with "Checking…" within Slack\'s 3 s, then updates the view with the result', async () => {
      const whatsapp = silentUntilReleased();
      nock(GRAPH)
        .get('/v23.0/1234567890')
        .query(true)
        .reply(async () => (await whatsapp.answer(), [200, { id: '1234567890', display_phone_number: '+62 812-0000-1111', verified_name: 'Acme Sales' }]));
      // Answered while WhatsApp still has not: the budget (SLACK_ACK_BUDGET_MS, at most 2.9 s) is what Slack got.
      const res = await driver.connect(ADMIN, cloud(), 'V0SLOW');
      whatsapp.release();
      expect(res.json?.response_action).toBe('update');
      expect(viewText(res.json)).toContain('Checking');
      const update = await waitFor(() => slack.calls.find((c) => c.method === 'views.update'), 'views.update');
      expect(update.params.view_id).toBe('V0SLOW');
      expect(update.raw).toContain('Account connected');
      expect(await AccountModel.countDocuments()).toBe(1);
    });

    it('after a slow failed check, shows the form again with the reason and without the secrets', async () => {
      const whatsapp = silentUntilReleased();
      nock(GRAPH)
        .get('/v23.0/1234567890')
        .query(true)
        .reply(async () => (await whatsapp.answer(), [401, { error: { message: 'Invalid OAuth access token.', code: 190 } }]));
      const res = await driver.connect(ADMIN, cloud({ token: BAD_TOKEN }), 'V0SLOW');
      whatsapp.release();
      expect(viewText(res.json)).toContain('Checking');
      const update = await waitFor(() => slack.calls.find((c) => c.method === 'views.update'), 'views.update');
      const form = JSON.stringify(update.params);
      expect(form).toContain('accounts.connect');
      expect(form).toContain('WhatsApp rejected the token (code 190)');
      expect(form).toContain('C0SALES');
      expect(form).not.toContain(BAD_TOKEN);
      expect(form).not.toContain(APP_SECRET);
      expect(await AccountModel.countDocuments()).toBe(0);
    });
  });

  describe('admins only', () => {
    it('refuses /whatsapp connect to a member with an ephemeral "only admins" and opens nothing', async () => {
      const res = await driver.command(MEMBER, 'connect');
      expect(res.status).toBe(200);
      const reply = await waitFor(() => slack.responses[0], 'the ephemeral reply');
      expect(reply.params).toMatchObject({ response_type: 'ephemeral' });
      expect(reply.raw).toMatch(/Only workspace admins and owners can connect WhatsApp accounts/);
      expect(slack.calls.some((c) => c.method === 'views.open')).toBe(false);
    });

    it('opens the connect modal for an admin and for a user listed in ADMIN_USER_IDS', async () => {
      for (const user of [ADMIN, LISTED]) {
        slack.clear();
        await driver.command(user, 'connect');
        const view = await waitFor(() => slack.viewsOf('views.open')[0], 'views.open');
        expect(view.callback_id).toBe('accounts.connect');
        expect(slack.calls.find((c) => c.method === 'views.open')?.params.trigger_id).toBe('1.2.abc');
      }
    });

    it.each(['users.info', 'views.open'])('waits out a 429 on %s as Slack asks (Retry-After), then opens the connect modal', async (method) => {
      slack.faults.fail({ kind: 'ratelimit', retryAfterSeconds: 1 }, { methods: [method], times: 1 });
      await driver.command(ADMIN, 'connect');
      // The modal is the last views.open: after the refused one when views.open was limited.
      const opens = method === 'views.open' ? 2 : 1;
      const view = await waitFor(() => slack.viewsOf('views.open')[opens - 1], 'views.open', 15_000);
      expect(view.callback_id).toBe('accounts.connect');
      // Asked again after the 429, once: an admin is still known as one.
      expect(slack.calls.filter((c) => c.method === method)).toHaveLength(2);
    });

    it('refuses a member submitting the connect form, saving nothing', async () => {
      const res = await driver.connect(MEMBER, cloud());
      expect(errorsOf(res.json).name).toMatch(/Only workspace admins/);
      expect(await AccountModel.countDocuments()).toBe(0);
    });

    it('refuses a member clicking ON/OFF, Settings or Disconnect, changing nothing', async () => {
      const account = await connected();
      for (const action of ['accounts.toggle', 'accounts.settings', 'accounts.disconnect']) {
        slack.clear();
        await driver.click(MEMBER, action, account.id);
        const notice = await waitFor(() => slack.viewsOf('views.open')[0], `the refusal of ${action}`);
        expect(JSON.stringify(notice)).toMatch(/Only workspace admins and owners can/);
      }
      expect(await AccountModel.findById(account.id).lean()).toMatchObject({ enabled: true, state: 'connected', name: 'Sales' });
      expect(await AuditModel.countDocuments({ action: { $ne: 'account.connect' } })).toBe(0);
    });
  });

  describe('the list', () => {
    it('lists the accounts ephemerally; members see no webhook secrets', async () => {
      const account = await connected();
      await driver.command(MEMBER, 'accounts');
      const reply = await waitFor(() => slack.responses[0], 'the list');
      expect(reply.raw).toContain('Sales');
      expect(reply.raw).toContain('+62 812-0000-1111');
      expect(reply.raw).not.toContain(service.deps.secrets.open(account.verifyTokenSealed));
      expect(reply.raw).not.toContain('accounts.toggle');
    });

    it('speaks Indonesian to a user whose Slack locale is id-ID', async () => {
      await connected();
      await driver.command(INDO, 'accounts');
      const reply = await waitFor(() => slack.responses[0], 'the list');
      expect(reply.raw).toContain('Integrasi WhatsApp');
      expect(reply.raw).toContain('Pengaturan');
      expect(reply.raw).toContain('"Template HSM"');
      expect(reply.raw).toContain('"Putuskan Koneksi"');
    });

    it("shows each account's channel language on its line", async () => {
      const account = await connected();
      await AccountModel.updateOne({ _id: account._id }, { $set: { locale: 'id' } });
      await driver.command(MEMBER, 'accounts');
      const reply = await waitFor(() => slack.responses[0], 'the list');
      expect(reply.raw).toContain('Language: Bahasa Indonesia');
    });

    it('publishes the integrations list on the Home tab', async () => {
      await connected();
      slack.clear();
      const body = JSON.stringify({
        type: 'event_callback',
        team_id: 'T0001',
        api_app_id: 'A0001',
        event: { type: 'app_home_opened', user: ADMIN, channel: 'D0001', tab: 'home', event_ts: '1.0' },
        event_id: 'Ev0002',
        event_time: 1,
        authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true }],
      });
      const { postToSlackEvents } = await import('../helpers/slack');
      await postToSlackEvents(service.url, body, { now: service.clock.now(), contentType: 'application/json' });
      const publish = await waitFor(() => slack.calls.find((c) => c.method === 'views.publish'), 'views.publish');
      expect(publish.params.user_id).toBe(ADMIN);
      const home = JSON.stringify(publish.params);
      expect(home).toContain('WhatsApp integrations');
      expect(home).toContain('accounts.add');
      expect(home).toContain('accounts.toggle');
    });
    it('pages a list longer than one Slack message holds: every account on exactly one page, reached by Next', async () => {
      const names = Array.from({ length: 23 }, (_, n) => `Cabang ${String(n + 1).padStart(2, '0')}`);
      await Promise.all(names.map((name) => createAccount(service, { name })));
      await driver.command(ADMIN, 'accounts');
      const seen: string[] = [];
      let reply = await waitFor(() => slack.responses[0], 'the first page');
      for (let page = 1; ; page++) {
        const blocks = z.array(z.record(z.string(), z.unknown())).parse(reply.params.blocks);
        expect(blocks.length).toBeLessThanOrEqual(50);
        seen.push(...names.filter((name) => reply.raw.includes(`*${name}*`)));
        const next = reply.raw.match(/"action_id":"(accounts\.page\.\d+)","text":\{"type":"plain_text","text":"Next/);
        if (!next?.[1]) break;
        expect(reply.raw).toContain(`Page ${page} of`);
        slack.clear();
        await driver.click(ADMIN, next[1], String(page), 'message');
        reply = await waitFor(() => slack.responses[0], `page ${page + 1}`);
        expect(reply.params).toMatchObject({ replace_original: true });
      }
      expect(seen.sort()).toEqual(names);
    });
  });

  describe('ON/OFF, settings and disconnect', () => {
    it('switches OFF and ON again from the Home tab, confirming "Successfully updated!" and auditing both', async () => {
      const account = await connected();
      slack.clear();
      await driver.click(ADMIN, 'accounts.toggle', account.id, 'home');
      const off = await waitFor(() => slack.calls.find((c) => c.method === 'views.publish'), 'the home update');
      expect(off.raw).toContain('Successfully updated!');
      expect(off.raw).toContain('incoming messages are still stored');
      expect((await AccountModel.findById(account.id).lean())?.enabled).toBe(false);

      slack.clear();
      await driver.click(ADMIN, 'accounts.toggle', account.id, 'home');
      await waitFor(() => slack.calls.find((c) => c.method === 'views.publish'), 'the second home update');
      expect((await AccountModel.findById(account.id).lean())?.enabled).toBe(true);

      const audit = await AuditModel.find({ subject: `account:${account.id}` }).sort({ at: 1, _id: 1 }).lean();
      expect(audit.map((a) => a.action)).toEqual(['account.connect', 'account.disable', 'account.enable']);
      expect(audit[1]).toMatchObject({ actorId: ADMIN, teamId: 'T0001', before: { enabled: true }, after: { enabled: false } });
    });

    it('answers ON/OFF under an ephemeral list by replacing it', async () => {
      const account = await connected();
      slack.clear();
      await driver.click(ADMIN, 'accounts.toggle', account.id, 'message');
      const reply = await waitFor(() => slack.responses[0], 'the replaced list');
      expect(reply.params).toMatchObject({ replace_original: true });
      expect(reply.raw).toContain('Successfully updated!');
    });

    it('opens Settings, then saves a rename, OFF and a new token checked with WhatsApp', async () => {
      const account = await connected();
      slack.clear();
      await driver.click(ADMIN, 'accounts.settings', account.id);
      const modal = await waitFor(() => slack.viewsOf('views.open')[0], 'the settings modal');
      expect(modal.callback_id).toBe('accounts.settings');
      expect(JSON.stringify(modal)).toContain('••••0001');

      const check = phoneOk(NEW_TOKEN);
      const res = await driver.submit(
        ADMIN,
        'accounts.settings',
        { values: settingsValues({ name: 'Sales ID', enabled: 'off', channelId: 'C0NEW', token: NEW_TOKEN }) },
        String(modal.private_metadata),
      );
      expect(check.isDone()).toBe(true);
      expect(res.json?.response_action).toBe('update');
      expect(viewText(res.json)).toContain('Successfully updated!');
      const saved = await AccountModel.findById(account.id).lean();
      expect(saved).toMatchObject({ name: 'Sales ID', nameKey: 'sales id', enabled: false, channelId: 'C0NEW', tokenHint: '••••0002' });
      expect(service.deps.secrets.open(saved?.tokenSealed ?? '')).toBe(NEW_TOKEN);
      const audit = await AuditModel.findOne({ action: 'account.update' }).lean();
      expect(audit).toMatchObject({
        before: { name: 'Sales', tokenHint: '••••0001', enabled: true },
        after: { name: 'Sales ID', tokenHint: '••••0002', enabled: false },
      });
    });

    it('shows the current channel language in Settings, changes it, and audits the change', async () => {
      const account = await connected();
      slack.clear();
      await driver.click(ADMIN, 'accounts.settings', account.id);
      const modal = await waitFor(() => slack.viewsOf('views.open')[0], 'the settings modal');
      expect(initialLocale(modal)).toBe('en');

      const state = withLocale({ values: settingsValues({ name: 'Sales', enabled: 'on', channelId: 'C0SALES' }) }, 'id');
      const res = await driver.submit(ADMIN, 'accounts.settings', state, String(modal.private_metadata));
      expect(res.json?.response_action).toBe('update');
      expect(viewText(res.json)).toContain('Language: Bahasa Indonesia');
      expect(await AccountModel.findById(account.id).lean()).toMatchObject({ locale: 'id', name: 'Sales', enabled: true });
      expect(await AuditModel.findOne({ action: 'account.update' }).lean()).toMatchObject({
        actorId: ADMIN,
        before: { locale: 'en' },
        after: { locale: 'id' },
      });

      // A form opened before the field existed keeps the language.
      await driver.submit(ADMIN, 'accounts.settings', { values: settingsValues({ name: 'Sales', enabled: 'on', channelId: 'C0SALES' }) }, String(modal.private_metadata));
      expect((await AccountModel.findById(account.id).lean())?.locale).toBe('id');
    });

    it('refuses a member saving Settings and a form that does not validate, changing nothing', async () => {
      const account = await connected();
      const metadata = JSON.stringify({ accountId: account.id });
      const member = await driver.submit(MEMBER, 'accounts.settings', { values: settingsValues({ name: 'Mine now', enabled: 'off', channelId: 'C0SALES' }) }, metadata);
      expect(errorsOf(member.json).name).toMatch(/Only workspace admins and owners can/);

      const invalid = await driver.submit(ADMIN, 'accounts.settings', { values: settingsValues({ name: '  ', enabled: 'on', channelId: 'C0SALES' }) }, metadata);
      expect(Object.keys(errorsOf(invalid.json))).toEqual(['name']);
      expect(errorsOf(invalid.json).name).toMatch(/required/);

      expect(await AccountModel.findById(account.id).lean()).toMatchObject({ name: 'Sales', enabled: true });
      expect(await AuditModel.countDocuments({ action: 'account.update' })).toBe(0);
    });

    it('answers a slow token check in Settings with "Checking…", then shows the result in the modal', async () => {
      const account = await connected();
      slack.clear();
      const whatsapp = silentUntilReleased();
      nock(GRAPH)
        .get('/v23.0/1234567890')
        .matchHeader('authorization', `Bearer ${NEW_TOKEN}`)
        .query(true)
        .reply(async () => (await whatsapp.answer(), [200, { id: '1234567890', display_phone_number: '+62 812-0000-1111', verified_name: 'Acme Sales' }]));
      const res = await driver.submit(
        ADMIN,
        'accounts.settings',
        { values: settingsValues({ name: 'Sales', enabled: 'on', channelId: 'C0SALES', token: NEW_TOKEN }) },
        JSON.stringify({ accountId: account.id }),
        'V0SETTINGS',
      );
      // Nothing is saved before WhatsApp has answered.
      expect(viewText(res.json)).toContain('Checking');
      expect((await AccountModel.findById(account.id).lean())?.tokenHint).toBe('••••0001');
      whatsapp.release();
      const update = await waitFor(() => slack.calls.find((c) => c.method === 'views.update'), 'views.update');
      expect(update.params.view_id).toBe('V0SETTINGS');
      expect(update.raw).toContain('Successfully updated!');
      expect((await AccountModel.findById(account.id).lean())?.tokenHint).toBe('••••0002');
    });

    it('keeps everything when the new token is rejected, and refuses a rename onto another account', async () => {
      const account = await connected();
      await connected(cloud({ name: 'Support' }));
      const metadata = JSON.stringify({ accountId: account.id });

      graphError(401, { message: 'Error validating access token: Session has expired', code: 190, error_subcode: 463 });
      const rejected = await driver.submit(ADMIN, 'accounts.settings', { values: settingsValues({ name: 'Sales', enabled: 'on', channelId: 'C0SALES', token: BAD_TOKEN }) }, metadata);
      expect(errorsOf(rejected.json).token).toMatch(/code 190.*Session has expired/);

      const duplicate = await driver.submit(ADMIN, 'accounts.settings', { values: settingsValues({ name: 'support', enabled: 'off', channelId: 'C0SALES' }) }, metadata);
      expect(errorsOf(duplicate.json).name).toMatch(/already exists/);

      expect(await AccountModel.findById(account.id).lean()).toMatchObject({ name: 'Sales', enabled: true, tokenHint: '••••0001' });
      expect(await AuditModel.countDocuments({ action: 'account.update' })).toBe(0);
    });

    it('disconnects after confirmation: keeps the account as history, drops it from the list, frees its name', async () => {
      const account = await connected();
      slack.clear();
      await driver.click(ADMIN, 'accounts.disconnect', account.id, 'modal');
      const update = await waitFor(() => slack.calls.find((c) => c.method === 'views.update'), 'the modal update');
      expect(update.params.view_id).toBe('V0MODAL');
      expect(update.raw).toContain('is disconnected');
      expect(update.raw).not.toContain('accounts.toggle');
      expect(await AccountModel.findById(account.id).lean()).toMatchObject({ state: 'disconnected', name: 'Sales' });
      expect(await AuditModel.countDocuments({ action: 'account.disconnect', actorId: ADMIN })).toBe(1);

      // Clicking again (a stale list) changes nothing.
      slack.clear();
      await driver.click(ADMIN, 'accounts.toggle', account.id, 'home');
      const notice = await waitFor(() => slack.viewsOf('views.open')[0], 'the not-found notice');
      expect(JSON.stringify(notice)).toContain('no longer exists');

      await connected();
      expect(await AccountModel.countDocuments({ name: 'Sales' })).toBe(2);
    });

    it("does not let one workspace change another's account", async () => {
      const account = await connected();
      await AccountModel.updateOne({ _id: account._id }, { $set: { teamId: 'T0OTHER' } });
      await driver.click(ADMIN, 'accounts.toggle', account.id, 'home');
      await waitFor(() => slack.viewsOf('views.open')[0], 'the not-found notice');
      expect((await AccountModel.findById(account.id).lean())?.enabled).toBe(true);
    });
  });

  describe('the /whatsapp command', () => {
    it.each([
      ['', /Use `\/whatsapp` followed by/],
      ['help', /\/whatsapp connect/],
      ['frobnicate', /I don't know `frobnicate`/],
    ])('answers "%s" with the help', async (text, expected) => {
      await driver.command(ADMIN, text);
      const reply = await waitFor(() => slack.responses[0], 'the help');
      expect(reply.raw).toMatch(expected);
    });
  });

  describe('accounts on the On-Premises API, retired by Meta on 2025-10-23', () => {
    async function retired() {
      const account = await createAccount(service, { name: 'Gateway', nameKey: 'gateway', kind: 'onprem', apiUrl: 'https://waba.360dialog.io', phoneNumberId: undefined, appSecretSealed: undefined, channelId: 'C0GATE' });
      const conversation = await ConversationModel.create({ accountId: account._id, waId: '6281234567890', channelId: 'C0GATE', threadTs: '1700000000.000100' });
      const template = await TemplateModel.create({ accountId: account._id, name: 'order_ready', language: 'en_US', category: 'UTILITY', status: 'APPROVED', body: 'Ready' });
      return { account, conversation, template };
    }

    it('are marked retired in the list, with Move instead of Settings and no webhook URL', async () => {
      const { account } = await retired();
      await driver.command(ADMIN, 'accounts');
      const reply = await waitFor(() => slack.responses[0], 'the list');
      expect(reply.raw).toContain('Retired by Meta on 2025-10-23');
      expect(reply.raw).toContain('accounts.move');
      expect(reply.raw).not.toContain(`webhooks/whatsapp/${account.id}`);
    });

    it('Settings offers the move; moving to a BSP keeps the channel, conversations and templates, checked and audited', async () => {
      const { account, conversation, template } = await retired();
      await driver.click(ADMIN, 'accounts.settings', account.id);
      const modal = await waitFor(() => slack.viewsOf('views.open')[0], 'the move form');
      expect(modal.callback_id).toBe('accounts.move.submit');
      expect(JSON.stringify(modal)).toContain('D360-API-KEY');

      const health = nock(BSP).get('/health_status').matchHeader('d360-api-key', BSP_KEY).reply(200, bspHealthStatus());
      const res = await driver.move(ADMIN, { id: account.id, name: 'Gateway' }, { kind: 'bsp', apiUrl: BSP, apiKeyHeader: 'D360-API-KEY', token: BSP_KEY });
      expect(health.isDone()).toBe(true);
      expect(res.json?.response_action).toBe('update');
      expect(viewText(res.json)).toContain('now uses its new API');

      const moved = await AccountModel.findById(account._id).lean();
      expect(moved).toMatchObject({ kind: 'bsp', apiUrl: BSP, apiKeyHeader: 'D360-API-KEY', channelId: 'C0GATE', name: 'Gateway', state: 'connected' });
      expect(await ConversationModel.findById(conversation._id)).toMatchObject({ accountId: account._id, threadTs: '1700000000.000100' });
      expect(await TemplateModel.findById(template._id)).toMatchObject({ accountId: account._id });
      const audit = await AuditModel.findOne({ action: 'account.move' }).lean();
      expect(audit).toMatchObject({ teamId: 'T0001', actorId: ADMIN, accountId: account.id, before: { kind: 'onprem' }, after: { kind: 'bsp', tokenHint: '••••7777' } });
    });

    it('a move whose credentials fail changes nothing; members may not move', async () => {
      const { account } = await retired();
      graphError(401, { message: 'Invalid OAuth access token.', code: 190 });
      const res = await driver.move(ADMIN, { id: account.id, name: 'Gateway' }, { kind: 'cloud', apiUrl: `${GRAPH}/v23.0`, token: BAD_TOKEN, phoneNumberId: '1234567890' });
      expect(errorsOf(res.json).token).toMatch(/rejected the token/);
      const member = await driver.move(MEMBER, { id: account.id, name: 'Gateway' }, { kind: 'cloud', apiUrl: `${GRAPH}/v23.0`, token: CLOUD_TOKEN, phoneNumberId: '1234567890' });
      expect(errorsOf(member.json).kind).toMatch(/Only workspace admins/);
      expect(await AccountModel.findById(account._id).lean()).toMatchObject({ kind: 'onprem' });
      expect(await AuditModel.countDocuments({ action: 'account.move' })).toBe(0);
    });
  });

  // Runs last: scans what the whole suite sent to Slack and logged.
  it('never puts a token or app secret in a Slack payload or a log line', async () => {
    await connected();
    graphError(401, { message: 'Invalid OAuth access token.', code: 190 });
    await driver.connect(ADMIN, cloud({ name: 'Other', token: BAD_TOKEN }));
    const all = `${slack.everything()}\n${service.logLines.join('\n')}`;
    expect(all).toContain('••••0001');
    expect(all).toContain('Successfully updated!');
    for (const secret of SECRETS) expect(all).not.toContain(secret);
  });
});

function settingsValues(v: { name?: string; enabled?: 'on' | 'off'; channelId?: string; token?: string; appSecret?: string }) {
  const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
  return {
    name: text(v.name),
    enabled: { value: { type: 'radio_buttons', selected_option: v.enabled ? { value: v.enabled } : null } },
    channel: { value: { type: 'conversations_select', selected_conversation: v.channelId ?? null } },
    token: text(v.token),
    app_secret: text(v.appSecret),
  };
}

/** Adds the channel-language select to a submitted view state. */
function withLocale<T extends { values: object }>(state: T, locale: string) {
  return { ...state, values: { ...state.values, locale: { value: { type: 'static_select', selected_option: { value: locale, text: { type: 'plain_text', text: locale } } } } } };
}

/** The initial option of the channel-language select in a view sent to Slack. */
function initialLocale(view: Record<string, unknown>): string | undefined {
  const blocks = z
    .array(z.object({ block_id: z.string().optional(), element: z.object({ initial_option: z.object({ value: z.string() }).optional() }).optional() }))
    .parse(view.blocks);
  return blocks.find((b) => b.block_id === 'locale')?.element?.initial_option?.value;
}
