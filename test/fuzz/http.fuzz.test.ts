/**
 * Fuzz: thousands of generated malformed requests to every HTTP endpoint. Every
 * answer is a 4xx (never a 5xx), the service stays up, nothing is stored from
 * them, and memory stays bounded. /slack/events refuses forged, stale and malformed requests.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import fc from 'fast-check';
import nock from 'nock';
import { AccountModel, ConversationModel, journalEntries, MessageModel, OutboxModel } from '../../src/store/models';
import { SIGNING_SECRET, startTestService, type TestService } from '../helpers/service';
import { slackSignature } from '../helpers/slack';
import { cloudTextWebhook, metaSignature, seedServiceAccount, wamid, type SeededAccount } from '../drills/support';
import { issuedToken } from '../fakes/whatsapp-contract';

interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/**
 * Sends one request on a connection of its own, written byte for byte, and reads the answer's status line.
 * Not through `http.request`: nock's interceptor re-parses every outgoing request, and under load (the request
 * written in several chunks) it threw `Invalid URL`, so the request never settled and the property hung.
 */
function send(baseUrl: string, req: RawRequest): Promise<number> {
  const url = new URL(baseUrl);
  const data = req.body ?? Buffer.alloc(0);
  // As http.request does: a body framed by the chunked encoding when the headers ask for it, else by its length.
  const chunked = Object.entries(req.headers).some(([name, value]) => name.toLowerCase() === 'transfer-encoding' && value.toLowerCase() === 'chunked');
  const body = !chunked ? data : Buffer.concat([...(data.length > 0 ? [Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')] : []), Buffer.from('0\r\n\r\n')]);
  const head = [
    `${req.method} ${req.path} HTTP/1.1`,
    `host: ${url.host}`,
    'connection: close',
    ...(chunked ? [] : [`content-length: ${body.length}`]),
    ...Object.entries(req.headers).map(([name, value]) => `${name}: ${value}`),
  ].join('\r\n');
  return new Promise<number>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body])));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(Buffer.concat(chunks).subarray(0, 32).toString('latin1'));
      if (status?.[1]) resolve(Number(status[1]));
      else reject(new Error(`no HTTP answer to ${req.method} ${req.path}`));
    });
  });
}

const sample = cloudTextWebhook([{ wamid: 'wamid.fuzz', from: '6281600000000', body: 'hello', timestamp: 1_767_000_000 }]);

/** Bodies that are never a valid delivery. */
const badBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.nat({ max: sample.length - 1 }).map((n) => Buffer.from(sample.slice(0, n))),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
  fc.integer({ min: 1, max: 5_000 }).map((depth) => Buffer.from('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.record({ object: fc.string(), entry: fc.anything() }).map((v) => Buffer.from(JSON.stringify(v) ?? '{}')),
  fc.integer({ min: 10_000, max: 400_000 }).map((n) => Buffer.from(JSON.stringify({ object: 'x'.repeat(n) }))),
  fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => Buffer.concat([Buffer.from('{"t":"'), Buffer.from([0xff, 0xc3, 0x28]), Buffer.from(bytes), Buffer.from('"}')])),
  fc.constant(Buffer.alloc(0)),
);

const contentType = fc.oneof(
  fc.constant('application/json'),
  fc.constant('text/plain'),
  fc.constant('application/x-www-form-urlencoded'),
  fc.constant('multipart/form-data; boundary=xyz'),
  fc.constant('application/json; charset=latin1'),
  fc.string({ maxLength: 40 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
);

const query = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 60 }).map((s) => '?' + encodeURI(s)),
  fc.constantFrom('?%', '?%zz', '?a=%E0%A4%A', '?hub.mode=subscribe&hub.verify_token[]=x', '?hub.challenge=' + 'c'.repeat(5000), '?&&&==', '?a[b][c][d]=1'),
);

/**
 * A guard against a wedged server, not a speed check: hundreds of requests each, and on a machine kept
 * busy (CI beside other jobs) a request can take a few hundred milliseconds.
 */
const FUZZ_TIMEOUT_MS = 240_000;

describe('fuzz: malformed requests to every endpoint', () => {
  let service: TestService;
  let account: SeededAccount;
  let bsp: string;

  beforeAll(async () => {
    // Raw, deliberately broken requests must reach the server as sent: nock's interception would rewrite or reject them.
    nock.restore();
    service = await startTestService();
    account = await seedServiceAccount(service);
    const box = service.deps.secrets;
    const op = await AccountModel.create({
      teamId: 'T0001', name: 'Fuzz bsp', nameKey: 'fuzz bsp', kind: 'bsp', apiUrl: 'https://waba.example.test', apiKeyHeader: 'D360-API-KEY',
      tokenSealed: box.seal(issuedToken('tok')), tokenHint: 'tok', verifyTokenSealed: box.seal('the-url-secret'), channelId: 'C0FUZZ', createdBy: 'U0ADMIN',
    });
    bsp = String(op._id);
  });
  afterAll(async () => {
    await service?.stop();
  });

  async function nothingStored(): Promise<void> {
    expect(await MessageModel.countDocuments({})).toBe(0);
    expect(await ConversationModel.countDocuments({})).toBe(0);
    expect(await OutboxModel.countDocuments({})).toBe(0);
    expect(await journalEntries().countDocuments({})).toBe(0);
  }

  it('answers 4xx to thousands of malformed WhatsApp webhook requests and stores nothing', async () => {
    const rssBefore = process.memoryUsage().rss;
    const statuses = new Map<number, number>();
    const target = fc.oneof(
      fc.constant(`/webhooks/whatsapp/${account.id}`),
      fc.constant(`/webhooks/whatsapp/${crypto.randomBytes(12).toString('hex')}`),
      fc.string({ maxLength: 30 }).map((s) => `/webhooks/whatsapp/${encodeURIComponent(s) || 'x'}`),
      fc.constant(`/webhooks/whatsapp/${bsp}/not-the-secret`),
      fc.constant(`/webhooks/whatsapp/${account.id}/anything`),
    );
    const signature = fc.oneof(
      fc.constant(undefined),
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256=${Buffer.from(b).toString('hex')}`),
      fc.string({ maxLength: 100 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
      fc.constant('sha1=0000'),
      fc.constant('forged-with-another-secret'),
    );
    await fc.assert(
      fc.asyncProperty(target, query, badBody, contentType, signature, fc.boolean(), async (path, q, body, type, sig, signedRight) => {
        const headers: Record<string, string> = { 'content-type': type };
        // Some carry a correct signature over a malformed body: authenticated, but still refused with 400.
        if (signedRight) headers['x-hub-signature-256'] = metaSignature(body);
        else if (sig === 'forged-with-another-secret') headers['x-hub-signature-256'] = metaSignature(body, 'not-the-app-secret');
        else if (sig !== undefined) headers['x-hub-signature-256'] = sig;
        const status = await send(service.url, { method: 'POST', path: path + q, headers, body });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        return status >= 400 && status < 500;
      }),
      { numRuns: 1_500, seed: 7_007 },
    );
    // The verification handshake with junk queries.
    await fc.assert(
      fc.asyncProperty(query, fc.boolean(), async (q, known) => {
        const path = known ? `/webhooks/whatsapp/${account.id}` : `/webhooks/whatsapp/${crypto.randomBytes(12).toString('hex')}`;
        const status = await send(service.url, { method: 'GET', path: path + q, headers: {} });
        return status >= 400 && status < 500;
      }),
      { numRuns: 300, seed: 7_008 },
    );
    // Oversized bodies, declared or streamed without a length.
    const big = Buffer.alloc(service.deps.config.webhookBodyLimitBytes + 1, 0x61);
    expect(await send(service.url, { method: 'POST', path: `/webhooks/whatsapp/${account.id}`, headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(big) }, body: big })).toBe(413);
    expect(await send(service.url, { method: 'POST', path: `/webhooks/whatsapp/${account.id}`, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: big })).toBe(413);

    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    await nothingStored();
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 2 ** 20);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  }, FUZZ_TIMEOUT_MS);

  it('refuses forged, stale and malformed requests to /slack/events', async () => {
    const nowSec = () => Math.floor(service.clock.now().getTime() / 1000);
    const kind = fc.constantFrom('forged', 'stale', 'future', 'missing', 'malformed', 'wrong-type');
    await fc.assert(
      fc.asyncProperty(kind, badBody, contentType, fc.integer({ min: 301, max: 86_400 }), async (k, body, type, age) => {
        const text = body.toString('latin1');
        let ts = nowSec();
        const headers: Record<string, string> = { 'content-type': type };
        if (k === 'stale') ts -= age;
        if (k === 'future') ts += age;
        if (k !== 'missing') headers['x-slack-request-timestamp'] = String(ts);
        if (k === 'forged') headers['x-slack-signature'] = 'v0=' + crypto.randomBytes(32).toString('hex');
        else if (k === 'stale' || k === 'future') headers['x-slack-signature'] = slackSignature(text, ts, SIGNING_SECRET);
        else if (k === 'malformed') {
          // Correctly signed, but the body is truncated JSON.
          const truncated = '{"type":"event_callback","event":{"type":"message"';
          headers['content-type'] = 'application/json';
          headers['x-slack-signature'] = slackSignature(truncated, ts, SIGNING_SECRET);
          const status = await send(service.url, { method: 'POST', path: '/slack/events', headers, body: Buffer.from(truncated) });
          return status === 400;
        } else if (k === 'wrong-type') {
          headers['content-type'] = 'text/xml';
          const xml = '<event/>';
          headers['x-slack-signature'] = slackSignature(xml, ts, SIGNING_SECRET);
          const status = await send(service.url, { method: 'POST', path: '/slack/events', headers, body: Buffer.from(xml) });
          return status === 415 || status === 400;
        }
        const status = await send(service.url, { method: 'POST', path: '/slack/events', headers, body });
        return status === 401 || status === 400 || status === 413 || status === 415;
      }),
      { numRuns: 800, seed: 7_009 },
    );
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    await nothingStored();
  }, FUZZ_TIMEOUT_MS);

  it('answers unknown paths and methods with 4xx, and junk queries on health checks without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.oneof(fc.constantFrom('/healthz', '/readyz', '/slack/events', '/webhooks/whatsapp', '/'), fc.webPath()),
        query,
        async (method, path, q) => {
          const status = await send(service.url, { method, path: (path.startsWith('/') ? path : `/${path}`) + q, headers: {} });
          const health = method === 'GET' && (path === '/healthz' || path === '/readyz');
          return health ? status === 200 : status >= 400 && status < 500;
        },
      ),
      { numRuns: 400, seed: 7_010 },
    );
    // A valid delivery still works after all that: the fuzzing did not wedge anything.
    const body = cloudTextWebhook([{ wamid: wamid('after-fuzz'), from: '6281600000001', body: 'still here', timestamp: Math.floor(service.clock.now().getTime() / 1000) }]);
    expect(await send(service.url, { method: 'POST', path: `/webhooks/whatsapp/${account.id}`, headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body) }, body: Buffer.from(body) })).toBe(200);
  }, FUZZ_TIMEOUT_MS);
});
