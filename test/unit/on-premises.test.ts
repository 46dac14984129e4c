import net from 'node:net';
import nock from 'nock';
import { createProvider, type ProviderCredentials, WhatsAppApiError, type WhatsAppProvider } from '../../src/whatsapp/provider';
import { expectValidSendBody, issuedToken, onPremError, onPremHealth, onPremSendOk, templateJson } from '../fakes/whatsapp-contract';
import { silentUntilReleased } from '../helpers/held';

const HOST = 'https://bsp.test';
const TOKEN = issuedToken('onprem-secret-api-key-0123456789');
const creds: ProviderCredentials = { kind: 'onprem', apiUrl: `${HOST}/`, token: TOKEN };

const bsp = () => nock(HOST, { reqheaders: { authorization: `Bearer ${TOKEN}` } });

async function failure(promise: Promise<unknown>): Promise<WhatsAppApiError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WhatsAppApiError);
  const e = error as WhatsAppApiError;
  const everything = [e.message, String(e), e.stack ?? '', JSON.stringify(e), e.title ?? '', e.details ?? ''].join('\n');
  expect(everything).not.toContain(TOKEN);
  return e;
}

let provider: WhatsAppProvider;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => nock.enableNetConnect());
beforeEach(() => {
  provider = createProvider(creds);
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('On-Premises verifyCredentials', () => {
  it('accepts a connected gateway', async () => {
    bsp().get('/v1/health').reply(200, onPremHealth('connected'));
    await expect(provider.verifyCredentials()).resolves.toEqual({});
    expect(provider.kind).toBe('onprem');
  });

  it('names the gateway status when it is not connected', async () => {
    bsp().get('/v1/health').reply(200, onPremHealth('unregistered'));
    const e = await failure(provider.verifyCredentials());
    expect(e).toMatchObject({ kind: 'api', details: 'unregistered', retryable: false });
    expect(e.message).toContain('unregistered');
  });

  it('accepts a cluster with one connected node', async () => {
    bsp()
      .get('/v1/health')
      .reply(200, {
        health: {
          'master-0': { gateway_status: 'connected', role: 'primary_master' },
          'master-1': { gateway_status: 'disconnected', role: 'secondary_master' },
        },
      });
    await expect(provider.verifyCredentials()).resolves.toEqual({});
  });

  it('rejects a cluster with no connected node', async () => {
    bsp()
      .get('/v1/health')
      .reply(200, { health: { 'master-0': { gateway_status: 'connecting' }, 'wacore-0': { gateway_status: 'disconnected' } } });
    const e = await failure(provider.verifyCredentials());
    expect(e.message).toContain('connecting, disconnected');
  });

  it('reports a rejected token with the On-Premises error envelope', async () => {
    bsp().get('/v1/health').reply(401, onPremError(1005, 'Access denied', 'Invalid credentials.'));
    const e = await failure(provider.verifyCredentials());
    expect(e).toMatchObject({ kind: 'api', httpStatus: 401, code: 1005, title: 'Access denied', details: 'Invalid credentials.', retryable: false });
  });

  it('sends the key in D360-API-KEY to 360dialog', async () => {
    const dialog = createProvider({ ...creds, apiUrl: 'https://waba.360dialog.io' });
    nock('https://waba.360dialog.io', { reqheaders: { 'd360-api-key': TOKEN } })
      .get('/v1/health')
      .reply(200, onPremHealth('connected'));
    await expect(dialog.verifyCredentials()).resolves.toEqual({});
  });

  it('keeps a path prefix in the base URL', async () => {
    const prefixed = createProvider({ ...creds, apiUrl: `${HOST}/whatsapp/` });
    bsp().get('/whatsapp/v1/health').reply(200, onPremHealth('connected'));
    await expect(prefixed.verifyCredentials()).resolves.toEqual({});
  });

  it('times out', async () => {
    const late = silentUntilReleased();
    bsp().get('/v1/health').reply(async () => (await late.answer(), [200, onPremHealth('connected')]));
    const e = await failure(provider.verifyCredentials({ timeoutMs: 100 }));
    late.release();
    expect(e).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('reports an unreachable URL as a network error', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const unreachable = createProvider({ ...creds, apiUrl: `http://127.0.0.1:${address.port}` });
    const e = await failure(unreachable.verifyCredentials());
    expect(e).toMatchObject({ kind: 'network', retryable: true });
  });

  it('rejects a health answer that is not JSON or has the wrong shape', async () => {
    bsp().get('/v1/health').reply(200, 'OK');
    expect((await failure(provider.verifyCredentials())).kind).toBe('invalid_response');
    bsp().get('/v1/health').reply(200, { status: 'ok' });
    expect((await failure(provider.verifyCredentials())).kind).toBe('invalid_response');
  });
});

describe('On-Premises sending', () => {
  it('sends text without messaging_product, as a reply', async () => {
    let sent: unknown;
    bsp()
      .post('/v1/messages')
      .matchHeader('content-type', 'application/json')
      .reply(201, (_uri, body) => {
        sent = expectValidSendBody(body, 'onprem');
        return onPremSendOk('gBEGkYiEB1VXAglK1ZEqA1YKPrU');
      });
    await expect(provider.sendText('6281234567890', 'Halo', { replyToWamid: 'ABGGFlA5FpafAgo6EhMvxY0W7xBMSQ' })).resolves.toEqual({
      wamid: 'gBEGkYiEB1VXAglK1ZEqA1YKPrU',
    });
    expect(sent).toEqual({
      recipient_type: 'individual',
      to: '6281234567890',
      type: 'text',
      context: { message_id: 'ABGGFlA5FpafAgo6EhMvxY0W7xBMSQ' },
      text: { body: 'Halo' },
    });
  });

  it('sends a template with namespace and deterministic language', async () => {
    let sent: unknown;
    bsp()
      .post('/v1/messages')
      .reply(200, (_uri, body) => {
        sent = expectValidSendBody(body, 'onprem');
        return onPremSendOk('gBEtpl');
      });
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'Budi' }] }];
    await provider.sendTemplate('6281', { name: 'order_update', language: 'id', namespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2a2573574', components });
    expect(sent).toMatchObject({
      type: 'template',
      template: {
        namespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2a2573574',
        name: 'order_update',
        language: { policy: 'deterministic', code: 'id' },
        components,
      },
    });
  });

  it('sends media by id', async () => {
    let sent: unknown;
    bsp()
      .post('/v1/messages')
      .reply(200, (_uri, body) => {
        sent = expectValidSendBody(body, 'onprem');
        return onPremSendOk('gBEmedia');
      });
    await expect(provider.sendMedia('6281', { kind: 'video', mediaId: 'f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68', caption: 'Video' })).resolves.toEqual({
      wamid: 'gBEmedia',
    });
    expect(sent).toMatchObject({ type: 'video', video: { id: 'f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68', caption: 'Video' } });
  });

  it('marks throttling as retryable and other errors as final', async () => {
    bsp().post('/v1/messages').reply(429, onPremError(130429, 'Rate limit hit'), { 'Retry-After': '2' });
    const throttled = await failure(provider.sendText('6281', 'hi'));
    expect(throttled).toMatchObject({ kind: 'api', code: 130429, retryable: true, retryAfterMs: 2000 });

    bsp().post('/v1/messages').reply(400, onPremError(1013, 'User is not valid'));
    const invalid = await failure(provider.sendText('6281', 'hi'));
    expect(invalid).toMatchObject({ kind: 'api', httpStatus: 400, code: 1013, title: 'User is not valid', retryable: false });
  });

  it('reads an error envelope sent with HTTP 200', async () => {
    bsp().post('/v1/messages').reply(200, onPremError(131047, 'Message failed to send because more than 24 hours have passed'));
    const e = await failure(provider.sendText('6281', 'hi'));
    expect(e).toMatchObject({ kind: 'api', code: 131047, retryable: false });
  });
});

describe('On-Premises media', () => {
  it('uploads the raw bytes with their content type', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    let received: Buffer = Buffer.alloc(0);
    bsp()
      .post('/v1/media')
      .matchHeader('content-type', 'image/png')
      .reply(201, (_uri, body) => {
        // nock hands binary bodies over hex-encoded.
        received = Buffer.from(String(body), 'hex');
        return { media: [{ id: 'f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68' }] };
      });
    await expect(provider.uploadMedia(bytes, 'image/png', 'a.png')).resolves.toEqual({ mediaId: 'f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68' });
    expect(received.equals(bytes)).toBe(true);
  });

  it('downloads bytes and takes the type from Content-Type', async () => {
    const bytes = Buffer.from('%PDF-1.4');
    bsp().get('/v1/media/abc-123').reply(200, bytes, { 'Content-Type': 'application/pdf; charset=binary' });
    const media = await provider.downloadMedia('abc-123');
    expect(media.mimeType).toBe('application/pdf');
    expect(media.data.equals(bytes)).toBe(true);
  });

  it('reports a missing media id', async () => {
    bsp().get('/v1/media/gone').reply(404, onPremError(1002, 'Object not found'));
    const e = await failure(provider.downloadMedia('gone'));
    expect(e).toMatchObject({ kind: 'api', httpStatus: 404, code: 1002 });
  });
});

describe('On-Premises templates', () => {
  it('lists the templates the provider serves', async () => {
    bsp()
      .get('/v1/configs/templates')
      .query({ limit: '250', offset: '0' })
      .reply(200, { count: 2, total: 2, waba_templates: [templateJson('hello_world', { namespace: 'ns' }), templateJson('promo')] });
    const templates = await provider.listTemplates();
    expect(templates.map((t) => t.name)).toEqual(['hello_world', 'promo']);
    expect(templates[0]?.namespace).toBe('ns');
  });

  it('pages with offset while the total is not reached', async () => {
    const first = Array.from({ length: 250 }, (_, i) => templateJson(`t_${i}`));
    bsp().get('/v1/configs/templates').query({ limit: '250', offset: '0' }).reply(200, { total: 251, waba_templates: first });
    bsp().get('/v1/configs/templates').query({ limit: '250', offset: '250' }).reply(200, { total: 251, waba_templates: [templateJson('last')] });
    const templates = await provider.listTemplates();
    expect(templates).toHaveLength(251);
    expect(templates[250]?.name).toBe('last');
  });

  it('reports a provider without a template list as unsupported', async () => {
    bsp().get('/v1/configs/templates').query(true).reply(404, onPremError(1006, 'Resource not found'));
    const e = await failure(provider.listTemplates());
    expect(e.kind).toBe('unsupported');
  });

  it('cannot create or delete templates, and does not try', async () => {
    expect(provider.supportsTemplateManagement).toBe(false);
    expect((await failure(provider.createTemplate({ name: 'x' }))).kind).toBe('unsupported');
    expect((await failure(provider.deleteTemplate('x', '1'))).kind).toBe('unsupported');
  });
});
