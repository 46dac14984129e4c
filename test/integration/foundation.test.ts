import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { startService } from '../../src/service';
import { AuditModel } from '../../src/store/models';
import { BOT_TOKEN, SIGNING_SECRET, nockSlackAuth, startTestService, uniqueDbName, type TestService } from '../helpers/service';
import { postToSlackEvents } from '../helpers/slack';
import { startStoppableDatabase } from '../helpers/stoppable-db';
import { FakeSlack } from '../fixtures/conversations';

const ROOT = path.resolve(__dirname, '..', '..');

/** Slack's app_home_opened event for U0ADMIN, as an Events API request body. */
function homeOpened(tab: 'home' | 'messages', eventId: string): string {
  return JSON.stringify({
    type: 'event_callback',
    team_id: 'T0001',
    api_app_id: 'A0001',
    event: { type: 'app_home_opened', user: 'U0ADMIN', channel: 'D0001', tab, event_ts: '1.0' },
    event_id: eventId,
    event_time: 1,
    authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true }],
  });
}

describe('the service', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(async () => {
    await service.stop();
    nock.cleanAll();
  });

  it('reports liveness and readiness', async () => {
    const health = await fetch(`${service.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('accepts a request signed the way Slack signs it', async () => {
    const auth = nockSlackAuth();
    const body = homeOpened('messages', 'Ev0001');
    const res = await postToSlackEvents(service.url, body, { now: service.clock.now(), contentType: 'application/json' });
    expect(res.status).toBe(200);
    // Bolt acknowledged at once, then authorised the event to run listeners.
    await service.slackSettled();
    expect(auth.isDone()).toBe(true);
  });

  it('answers Slack URL verification when signed', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'ch4llenge', token: 'x' });
    const res = await postToSlackEvents(service.url, body, { now: service.clock.now(), contentType: 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'ch4llenge' });
  });

  it.each([
    ['a wrong secret', { secret: 'not-the-secret' }],
    ['a forged signature', { signature: 'v0=' + '0'.repeat(64) }],
    ['no signature', { signature: '' }],
    ['a timestamp older than five minutes', { timestamp: Math.floor(Date.parse('2026-01-05T02:54:00Z') / 1000) }],
    ['a timestamp more than five minutes ahead', { timestamp: Math.floor(Date.parse('2026-01-05T03:06:00Z') / 1000) }],
    ['a timestamp that is not a number', { timestamp: Number.NaN }],
  ])('rejects a request with %s with 401', async (_label, opts) => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'nope' });
    const res = await postToSlackEvents(service.url, body, {
      now: service.clock.now(),
      contentType: 'application/json',
      ...opts,
    });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('nope');
  });

  it('refuses a malformed but signed body with 400 and an oversized one with 413', async () => {
    const now = service.clock.now();
    const malformed = await postToSlackEvents(service.url, '{"type":', { now, contentType: 'application/json' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: expect.stringMatching(/malformed JSON/) });
    const big = 'x'.repeat(1024 * 1024 + 1);
    const oversized = await postToSlackEvents(service.url, big, { now, contentType: 'application/json' });
    expect(oversized.status).toBe(413);
  });
});

describe('the embedded database', () => {
  it('keeps what was written across a restart of the service', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-restart-'));
    const config = loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: '0', DATA_DIR: dataDir });
    const quiet = { logger: createLogger('error', () => undefined), background: false };

    const first = await startService(config, quiet);
    await AuditModel.create({ teamId: 'T1', actorId: 'U1', action: 'test', subject: 'restart', at: new Date() });
    await first.stop();

    const second = await startService(config, quiet);
    try {
      expect(await AuditModel.countDocuments({ subject: 'restart' })).toBe(1);
      expect(fs.existsSync(path.join(dataDir, 'encryption.key'))).toBe(true);
    } finally {
      await second.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('makes /readyz fail while the database is gone and pass once it is back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-ready-'));
    const db = await startStoppableDatabase(dir);
    const service = await startTestService({ MONGODB_URI: db.uri }, { dbName: uniqueDbName() });
    try {
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
      await db.stop();
      expect((await fetch(`${service.url}/readyz`)).status).toBe(503);
      await db.restart();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await fetch(`${service.url}/readyz`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
    } finally {
      await service.stop();
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('start-up', () => {
  it('exits non-zero with one message listing every bad variable', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'main.js')], {
      cwd: fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-cfg-')),
      env: { PATH: process.env.PATH, PORT: 'http', SLACK_BOT_TOKEN: 'nope' },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toMatch(/SLACK_BOT_TOKEN must start with xoxb-/);
    expect(stderr).toMatch(/SLACK_SIGNING_SECRET is required/);
    expect(stderr).toMatch(/PORT must be a number/);
    expect(stderr).toMatch(/slack-app-manifest\.json/);
  });
});


describe('the service, when Slack cannot confirm its token at first', () => {
  const slack = new FakeSlack();
  let service: TestService;
  beforeAll(async () => {
    slack.reset();
    slack.install();
    service = await startTestService();
  });
  afterAll(async () => {
    await service.stop();
    nock.cleanAll();
  });

  it("answers 500 while auth.test fails, so Slack redelivers, and runs the listener once it answers", async () => {
    slack.fail({ kind: 'status', status: 503 }, { methods: ['auth.test'], times: 1 });
    const body = homeOpened('home', 'Ev0AUTH');
    const first = await postToSlackEvents(service.url, body, { now: service.clock.now(), contentType: 'application/json' });
    expect(first.status).toBe(500);
    expect(slack.of('views.publish')).toEqual([]);

    const again = await postToSlackEvents(service.url, body, { now: service.clock.now(), contentType: 'application/json', headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } });
    expect(again.status).toBe(200);
    await service.slackSettled();
    // The failed identity was not kept: the redelivery asked again (the fake records refusals) and got through.
    expect(slack.of('auth.test')).toHaveLength(1);
    expect(slack.of('views.publish')).toHaveLength(1);
    expect(service.logLines.filter((l) => l.includes('slack listener failed'))).toHaveLength(1);
  });
});
