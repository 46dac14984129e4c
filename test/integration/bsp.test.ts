import nock from 'nock';
import { ConversationModel, MessageModel, TemplateModel, type AccountDocument } from '../../src/store/models';
import { expectValidSendBody, issuedToken, sendOk, templatesPage, templateJson } from '../fakes/whatsapp-contract';
import { startTestService, type TestService } from '../helpers/service';
import { ADMIN, AGENT, TemplateSlack, WABA_ID, createAccount, outboxFor, textOf } from './templates-harness';
import { VERIFY_TOKEN, postWebhook, textDelivery } from '../fixtures/conversations';

/**
 * A BSP serving the Cloud API (360dialog's contract: base URL without the phone number ID, the
 * key in `D360-API-KEY`, Meta's payloads), faked locally; the fake answers only requests that
 * carry the key in that header and no bearer token.
 */

const BSP = 'https://waba-v2.360dialog.test';
const KEY = issuedToken('d360-test-api-key-9999');
const CUSTOMER = '6281234567890';

let service: TestService;
let slack: TemplateSlack;
let account: AccountDocument;

/** The provider as the fake sees it: a request without the key in its header is not answered here. */
const provider = () => nock(BSP, { reqheaders: { 'd360-api-key': KEY }, badheaders: ['authorization'] });

beforeAll(async () => {
  service = await startTestService();
  slack = new TemplateSlack(service);
  slack.install();
  account = await createAccount(service, {
    kind: 'bsp',
    apiUrl: BSP,
    apiKeyHeader: 'D360-API-KEY',
    tokenSealed: service.deps.secrets.seal(KEY),
    phoneNumberId: undefined,
    verifyTokenSealed: service.deps.secrets.seal(VERIFY_TOKEN),
  });
});

afterAll(async () => {
  await service.stop();
  nock.cleanAll();
});

it("takes the customer's message at its secret URL and sends a template through the provider, the key in its header", async () => {
  const inbound = await postWebhook(service, String(account._id), textDelivery({ wamid: 'wamid.IN', from: CUSTOMER, name: 'Budi', at: service.clock.now() }), {
    signature: null,
    path: `/${VERIFY_TOKEN}`,
  });
  expect(inbound.status).toBe(200);
  const conversation = await ConversationModel.findOne({ accountId: account._id });
  if (!conversation) throw new Error('no conversation');
  await outboxFor(service).drain();

  const template = await TemplateModel.create({ accountId: account._id, name: 'order_ready', language: 'en_US', category: 'UTILITY', status: 'APPROVED', body: 'Your order is ready.' });
  let sent: unknown;
  const send = provider()
    .post('/messages', (b: unknown) => {
      sent = expectValidSendBody(b);
      return true;
    })
    .reply(200, sendOk('wamid.BSP_OUT', CUSTOMER));
  slack.clear();
  await slack.submit(AGENT, 'templates.send.submit', { values: {} }, JSON.stringify({ accountId: String(account._id), waId: CUSTOMER, templateId: String(template._id) }), 'V0SEND');
  await slack.waitView('views.update', (v) => textOf(v).includes('Sent to'));
  expect(send.isDone()).toBe(true);
  expect(sent).toMatchObject({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'order_ready' } });
  expect(await MessageModel.findOne({ wamid: 'wamid.BSP_OUT' })).toMatchObject({ direction: 'outbound', conversationId: conversation._id });
});

it('lists templates through the provider where it serves the Cloud API template endpoints', async () => {
  await TemplateModel.deleteMany({});
  const withWaba = await createAccount(service, { name: 'Bsp Waba', nameKey: 'bsp waba', kind: 'bsp', apiUrl: BSP, apiKeyHeader: 'D360-API-KEY', tokenSealed: service.deps.secrets.seal(KEY), phoneNumberId: undefined, wabaId: WABA_ID });
  const list = provider().get(`/${WABA_ID}/message_templates`).query(true).reply(200, templatesPage([templateJson('promo_juli', { language: 'id', status: 'APPROVED' })]));
  slack.clear();
  await slack.click(ADMIN, 'templates.open', String(withWaba._id));
  const opened = await slack.waitView('views.open');
  expect(textOf(opened.view)).not.toContain('no WhatsApp Business Account ID');
  await slack.click(ADMIN, 'templates.refresh', String(withWaba._id), { id: 'V0LIST', privateMetadata: JSON.stringify({ accountId: String(withWaba._id), page: 0 }) });
  const refreshed = await slack.waitView('views.update', (v) => textOf(v).includes('Refreshed'));
  expect(list.isDone()).toBe(true);
  expect(textOf(refreshed.view)).toContain('promo_juli');
});
