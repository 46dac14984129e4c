import net from 'node:net';
import nock from 'nock';
import { apiUrl, parseRetryAfter } from '../../src/whatsapp/http';
import { createProvider, type ProviderCredentials, WhatsAppApiError, type WhatsAppProvider } from '../../src/whatsapp/provider';
import {
  expectValidCreateTemplateBody,
  expectValidSendBody,
  graphError,
  graphErrors,
  issuedToken,
  mediaUploadOk,
  mediaUrlOk,
  phoneNumberOk,
  sendOk,
  templateCreatedOk,
  templateJson,
  templatesPage,
} from '../fakes/whatsapp-contract';
import { silentUntilReleased } from '../helpers/held';

const HOST = 'https://graph.test';
const TOKEN = issuedToken('EAAGm0PX4ZCpsBA-very-secret-token');
const PHONE_ID = '106540352242922';
const WABA_ID = '102290129340398';
const creds: ProviderCredentials = {
  kind: 'cloud',
  apiUrl: `${HOST}/v23.0/`, // trailing slash on purpose
  token: TOKEN,
  phoneNumberId: PHONE_ID,
  wabaId: WABA_ID,
};

const graph = () => nock(HOST, { reqheaders: { authorization: `Bearer ${TOKEN}` } });

/** Awaits a rejection and checks it is a WhatsAppApiError that leaks no token anywhere. */
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

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
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

describe('Cloud API verifyCredentials', () => {
  it('reads the phone number with the bearer token', async () => {
    graph()
      .get(`/v23.0/${PHONE_ID}`)
      .query({ fields: 'display_phone_number,verified_name,quality_rating' })
      .reply(200, phoneNumberOk({ displayPhoneNumber: '+62 812-0000-1111', verifiedName: 'Toko Budi', qualityRating: 'YELLOW' }));
    await expect(provider.verifyCredentials()).resolves.toEqual({
      displayPhoneNumber: '+62 812-0000-1111',
      verifiedName: 'Toko Budi',
      qualityRating: 'YELLOW',
    });
  });

  it('reports a rejected token (code 190, HTTP 401) as a non-retryable API error', async () => {
    graph().get(`/v23.0/${PHONE_ID}`).query(true).reply(...graphErrors.invalidToken());
    const e = await failure(provider.verifyCredentials());
    expect(e).toMatchObject({ kind: 'api', httpStatus: 401, code: 190, type: 'OAuthException', retryable: false });
    expect(e.fbtraceId).toBe('AXsgnV2Cm3ZMGF3dF_cfYIn');
    expect(e.message).toContain('Invalid OAuth access token');
  });

  it('redacts the token when the server echoes it back', async () => {
    graph()
      .get(`/v23.0/${PHONE_ID}`)
      .query(true)
      .reply(401, graphError(190, `Malformed access token ${TOKEN}`, { userTitle: `Token ${TOKEN}`, userMsg: `bad ${TOKEN}` }));
    const e = await failure(provider.verifyCredentials());
    expect(e.message).toContain('Malformed access token [redacted]');
    expect(e.title).toBe('Token [redacted]');
  });

  it('reports an unknown phone number ID (code 100, subcode 33)', async () => {
    graph().get(`/v23.0/${PHONE_ID}`).query(true).reply(...graphErrors.unknownPhoneNumberId(PHONE_ID));
    const e = await failure(provider.verifyCredentials());
    expect(e).toMatchObject({ kind: 'api', httpStatus: 400, code: 100, subcode: 33, retryable: false });
    expect(e.message).toContain('code 100/33');
  });

  it('reports an unreachable URL as a retryable network error', async () => {
    const port = await closedPort();
    const unreachable = createProvider({ ...creds, apiUrl: `http://127.0.0.1:${port}/v23.0` });
    const e = await failure(unreachable.verifyCredentials());
    expect(e).toMatchObject({ kind: 'network', retryable: true });
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('gives up after the per-call time-out', async () => {
    // WhatsApp answers only once the test lets it: only the time-out can end the call first.
    const late = silentUntilReleased();
    graph().get(`/v23.0/${PHONE_ID}`).query(true).reply(async () => (await late.answer(), [200, phoneNumberOk()]));
    const e = await failure(provider.verifyCredentials({ timeoutMs: 100 }));
    late.release();
    expect(e).toMatchObject({ kind: 'timeout', retryable: true });
    expect(e.message).toContain('100 ms');
  });

  it('uses the time-out given to createProvider by default', async () => {
    const late = silentUntilReleased();
    graph().post(`/v23.0/${PHONE_ID}/messages`).reply(async () => (await late.answer(), [200, sendOk('wamid.late')]));
    const quick = createProvider(creds, { timeoutMs: 100 });
    const e = await failure(quick.sendText('6281234567890', 'hi'));
    late.release();
    expect(e.kind).toBe('timeout');
  });

  it('rejects a body that is not JSON', async () => {
    graph().get(`/v23.0/${PHONE_ID}`).query(true).reply(200, '<html>proxy login</html>', { 'Content-Type': 'text/html' });
    const e = await failure(provider.verifyCredentials());
    expect(e).toMatchObject({ kind: 'invalid_response', retryable: false, httpStatus: 200 });
  });

  it('rejects JSON of the wrong shape', async () => {
    graph().get(`/v23.0/${PHONE_ID}`).query(true).reply(200, { hello: 'world' });
    const e = await failure(provider.verifyCredentials());
    expect(e.kind).toBe('invalid_response');
    expect(e.message).toContain('id');
  });
});

describe('Cloud API sending', () => {
  it('sends text that matches Meta’s contract and returns the wamid', async () => {
    let sent: unknown;
    graph()
      .post(`/v23.0/${PHONE_ID}/messages`)
      .matchHeader('content-type', 'application/json')
      .reply(200, (_uri, body) => {
        sent = expectValidSendBody(body);
        return sendOk('wamid.HBgLNjI4MTI=');
      });
    await expect(provider.sendText('6281234567890', 'Halo!')).resolves.toEqual({ wamid: 'wamid.HBgLNjI4MTI=' });
    expect(sent).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '6281234567890',
      type: 'text',
      text: { body: 'Halo!' },
    });
  });

  it('replies in context and asks for a link preview when there is a link', async () => {
    let sent: unknown;
    graph()
      .post(`/v23.0/${PHONE_ID}/messages`)
      .reply(200, (_uri, body) => {
        sent = expectValidSendBody(body);
        return sendOk('wamid.reply');
      });
    await provider.sendText('6281234567890', 'See https://example.com', { replyToWamid: 'wamid.original' });
    expect(sent).toMatchObject({
      context: { message_id: 'wamid.original' },
      text: { body: 'See https://example.com', preview_url: true },
    });
  });

  it('marks throttling (130429) as retryable', async () => {
    graph().post(`/v23.0/${PHONE_ID}/messages`).reply(...graphErrors.rateLimited());
    const e = await failure(provider.sendText('6281234567890', 'hi'));
    expect(e).toMatchObject({ kind: 'api', code: 130429, retryable: true });
    expect(e.details).toContain('throughput');
  });

  it('marks a closed 24-hour window (131047) as not retryable', async () => {
    graph().post(`/v23.0/${PHONE_ID}/messages`).reply(...graphErrors.reEngagement());
    const e = await failure(provider.sendText('6281234567890', 'hi'));
    expect(e).toMatchObject({ kind: 'api', httpStatus: 400, code: 131047, retryable: false });
    expect(e.details).toContain('24 hours');
  });

  it.each([4, 80007, 131000, 131016, 131056])('treats code %i as retryable', async (code) => {
    graph().post(`/v23.0/${PHONE_ID}/messages`).reply(400, graphError(code, 'slow down'));
    const e = await failure(provider.sendText('6281234567890', 'hi'));
    expect(e.retryable).toBe(true);
  });

  it('honours Retry-After on HTTP 429', async () => {
    graph().post(`/v23.0/${PHONE_ID}/messages`).reply(429, graphError(80007, 'Rate limit'), { 'Retry-After': '30' });
    const e = await failure(provider.sendText('6281234567890', 'hi'));
    expect(e).toMatchObject({ httpStatus: 429, retryable: true, retryAfterMs: 30_000 });
  });

  it('treats a 5xx without an error envelope as retryable', async () => {
    graph().post(`/v23.0/${PHONE_ID}/messages`).reply(502, '<html>Bad Gateway</html>');
    const e = await failure(provider.sendText('6281234567890', 'hi'));
    expect(e).toMatchObject({ kind: 'api', httpStatus: 502, retryable: true });
    expect(e.code).toBeUndefined();
  });

  it('follows is_transient for otherwise unknown codes', async () => {
    graph().post(`/v23.0/${PHONE_ID}/messages`).reply(400, graphError(2, 'Service temporarily unavailable', { isTransient: true }));
    const e = await failure(provider.sendText('6281234567890', 'hi'));
    expect(e.retryable).toBe(true);
  });

  it('rejects a send answer without a message id', async () => {
    graph().post(`/v23.0/${PHONE_ID}/messages`).reply(200, { messaging_product: 'whatsapp', messages: [] });
    const e = await failure(provider.sendText('6281234567890', 'hi'));
    expect(e.kind).toBe('invalid_response');
  });

  it('sends media by id with a caption and documents by link with a file name', async () => {
    const bodies: unknown[] = [];
    graph()
      .post(`/v23.0/${PHONE_ID}/messages`)
      .times(3)
      .reply(200, (_uri, body) => {
        bodies.push(expectValidSendBody(body));
        return sendOk(`wamid.${bodies.length}`);
      });
    await expect(provider.sendMedia('6281', { kind: 'image', mediaId: '123', caption: 'Foto' })).resolves.toEqual({ wamid: 'wamid.1' });
    await provider.sendMedia('6281', { kind: 'document', link: 'https://example.com/a.pdf', caption: 'Invoice', filename: 'a.pdf' });
    await provider.sendMedia('6281', { kind: 'audio', mediaId: '456', caption: 'dropped', filename: 'dropped.ogg' });
    expect(bodies[0]).toMatchObject({ type: 'image', image: { id: '123', caption: 'Foto' } });
    expect(bodies[1]).toMatchObject({ type: 'document', document: { link: 'https://example.com/a.pdf', caption: 'Invoice', filename: 'a.pdf' } });
    expect(bodies[2]).toMatchObject({ type: 'audio', audio: { id: '456' } });
  });

  it('refuses media with both or neither of link and id before calling WhatsApp', async () => {
    await expect(provider.sendMedia('6281', { kind: 'image', mediaId: '1', link: 'https://x.test/a.jpg' })).rejects.toThrow(TypeError);
    await expect(provider.sendMedia('6281', { kind: 'image' })).rejects.toThrow(TypeError);
  });

  it('sends a template with a deterministic language policy and no namespace', async () => {
    let sent: unknown;
    graph()
      .post(`/v23.0/${PHONE_ID}/messages`)
      .reply(200, (_uri, body) => {
        sent = expectValidSendBody(body);
        return sendOk('wamid.tpl');
      });
    const components = [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/h.jpg' } }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Budi' }] },
      { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'YES' }] },
    ];
    await expect(
      provider.sendTemplate('6281', { name: 'order_update', language: 'id', namespace: 'ns', components }),
    ).resolves.toEqual({ wamid: 'wamid.tpl' });
    expect(sent).toMatchObject({
      type: 'template',
      template: { name: 'order_update', language: { policy: 'deterministic', code: 'id' }, components },
    });
    expect(JSON.stringify(sent)).not.toContain('namespace');
  });
});

describe('Cloud API media', () => {
  it('uploads multipart form data and returns the media id', async () => {
    let form = '';
    graph()
      .post(`/v23.0/${PHONE_ID}/media`)
      .matchHeader('content-type', /^multipart\/form-data; boundary=/)
      .reply(200, (_uri, body) => {
        form = String(body);
        return mediaUploadOk('4490709327384033');
      });
    await expect(provider.uploadMedia(Buffer.from('JPEGDATA'), 'image/jpeg', 'photo.jpg')).resolves.toEqual({
      mediaId: '4490709327384033',
    });
    expect(form).toMatch(/name="messaging_product"\r\n\r\nwhatsapp\r\n/);
    expect(form).toMatch(/name="type"\r\n\r\nimage\/jpeg\r\n/);
    expect(form).toMatch(/name="file"; filename="photo.jpg"\r\nContent-Type: image\/jpeg\r\n\r\nJPEGDATA/);
  });

  it('downloads media in two steps, sending the token to the returned URL', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01]);
    graph().get('/v23.0/2621233374848975').reply(200, mediaUrlOk('https://lookaside.test/whatsapp_business/attachments/?mid=1', 'image/jpeg'));
    nock('https://lookaside.test', { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/whatsapp_business/attachments/')
      .query({ mid: '1' })
      .reply(200, bytes, { 'Content-Type': 'image/jpeg' });
    const media = await provider.downloadMedia('2621233374848975');
    expect(media.mimeType).toBe('image/jpeg');
    expect(media.data.equals(bytes)).toBe(true);
  });

  it('will not send the token to a plain-http media URL', async () => {
    graph().get('/v23.0/1').reply(200, mediaUrlOk('http://evil.test/file'));
    const e = await failure(provider.downloadMedia('1'));
    expect(e.kind).toBe('invalid_response');
  });

  it('reports an expired media URL as an API error', async () => {
    graph().get('/v23.0/1').reply(200, mediaUrlOk('https://lookaside.test/x'));
    nock('https://lookaside.test').get('/x').reply(404, 'Not found');
    const e = await failure(provider.downloadMedia('1'));
    expect(e).toMatchObject({ kind: 'api', httpStatus: 404, retryable: false });
  });
});

describe('Cloud API templates', () => {
  it('lists every page by following paging.next', async () => {
    const next = `${HOST}/v23.0/${WABA_ID}/message_templates?limit=100&after=MjQZD`;
    graph()
      .get(`/v23.0/${WABA_ID}/message_templates`)
      .query((q) => q.limit === '100' && typeof q.fields === 'string' && q.fields.includes('rejected_reason') && q.after === undefined)
      .reply(200, templatesPage([templateJson('hello_world'), templateJson('order_update', { status: 'PENDING' })], next));
    graph()
      .get(`/v23.0/${WABA_ID}/message_templates`)
      .query({ limit: '100', after: 'MjQZD' })
      .reply(200, templatesPage([templateJson('promo', { status: 'REJECTED', rejected_reason: 'PROMOTIONAL' })]));
    const templates = await provider.listTemplates();
    expect(templates.map((t) => [t.name, t.status])).toEqual([
      ['hello_world', 'APPROVED'],
      ['order_update', 'PENDING'],
      ['promo', 'REJECTED'],
    ]);
    expect(templates[2]?.rejected_reason).toBe('PROMOTIONAL');
    expect(templates[0]?.parameter_format).toBe('POSITIONAL'); // unknown fields are kept
  });

  it('does not follow paging to another host', async () => {
    graph()
      .get(`/v23.0/${WABA_ID}/message_templates`)
      .query(true)
      .reply(200, templatesPage([templateJson('a')], 'https://evil.test/steal'));
    const e = await failure(provider.listTemplates());
    expect(e.kind).toBe('invalid_response');
  });

  it('rejects a template without a name', async () => {
    graph()
      .get(`/v23.0/${WABA_ID}/message_templates`)
      .query(true)
      .reply(200, templatesPage([{ id: '1', language: 'en', status: 'APPROVED', components: [] }]));
    expect((await failure(provider.listTemplates())).kind).toBe('invalid_response');
  });

  it('needs the WABA ID for templates', async () => {
    const noWaba = createProvider({ ...creds, wabaId: undefined });
    expect(noWaba.supportsTemplateManagement).toBe(false);
    expect(provider.supportsTemplateManagement).toBe(true);
    expect((await failure(noWaba.listTemplates())).kind).toBe('unsupported');
    expect((await failure(noWaba.createTemplate({}))).kind).toBe('unsupported');
    expect((await failure(noWaba.deleteTemplate('x'))).kind).toBe('unsupported');
  });

  it('creates a template with the body as given', async () => {
    const definition = {
      name: 'order_update',
      language: 'id',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Pesanan {{1}} sudah dikirim', example: { body_text: [['#123']] } }],
    };
    let sent: unknown;
    graph()
      .post(`/v23.0/${WABA_ID}/message_templates`)
      .reply(200, (_uri, body) => {
        sent = expectValidCreateTemplateBody(body);
        return templateCreatedOk('1689556908129832', 'PENDING', 'UTILITY');
      });
    await expect(provider.createTemplate(definition)).resolves.toEqual({ id: '1689556908129832', status: 'PENDING', category: 'UTILITY' });
    expect(sent).toEqual(definition);
  });

  it('passes on Meta’s user-facing title when a template is refused', async () => {
    graph()
      .post(`/v23.0/${WABA_ID}/message_templates`)
      .reply(
        400,
        graphError(100, 'Invalid parameter', {
          subcode: 2388024,
          userTitle: 'Content in this language already exists',
          userMsg: 'Try another name.',
        }),
      );
    const e = await failure(provider.createTemplate({ name: 'dup' }));
    expect(e).toMatchObject({ code: 100, subcode: 2388024, title: 'Content in this language already exists', details: 'Try another name.' });
  });

  it('deletes by name and hsm_id', async () => {
    graph()
      .delete(`/v23.0/${WABA_ID}/message_templates`)
      .query({ name: 'order_update', hsm_id: '1689556908129832' })
      .reply(200, { success: true });
    await expect(provider.deleteTemplate('order_update', '1689556908129832')).resolves.toBeUndefined();
  });

  it('deletes by name alone', async () => {
    graph().delete(`/v23.0/${WABA_ID}/message_templates`).query({ name: 'promo' }).reply(200, { success: true });
    await expect(provider.deleteTemplate('promo')).resolves.toBeUndefined();
  });

  it('fails when WhatsApp answers success: false', async () => {
    graph().delete(`/v23.0/${WABA_ID}/message_templates`).query(true).reply(200, { success: false });
    expect((await failure(provider.deleteTemplate('promo'))).kind).toBe('api');
  });
});

describe('Cloud API set-up', () => {
  it('needs a phone number ID and an http(s) URL', () => {
    expect(() => createProvider({ ...creds, phoneNumberId: undefined })).toThrow(TypeError);
    expect(() => createProvider({ ...creds, apiUrl: 'graph.facebook.com' })).toThrow(TypeError);
    expect(() => createProvider({ ...creds, apiUrl: 'ftp://graph.test' })).toThrow(TypeError);
  });
});

describe('http helpers', () => {
  it('joins URLs keeping the version prefix and encoding segments', () => {
    expect(apiUrl('https://graph.test/v23.0/', ['123', 'messages']).toString()).toBe('https://graph.test/v23.0/123/messages');
    expect(apiUrl('https://graph.test/v23.0', ['a/b']).toString()).toBe('https://graph.test/v23.0/a%2Fb');
    expect(apiUrl('https://bsp.test', ['v1', 'health'], { a: '1', b: undefined }).toString()).toBe('https://bsp.test/v1/health?a=1');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
