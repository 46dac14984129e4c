import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { loadConfig, type Config } from '../../src/config';
import type { Clock } from '../../src/clock';
import { createLogger } from '../../src/log';
import { startService, type RunningService } from '../../src/service';
import { UNPACED } from './unpaced';

export { SLACK_API } from '../fakes/strict-slack';
import { issuedSlackToken, SLACK_API, slackApi } from '../fakes/strict-slack';
export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = issuedSlackToken('xoxb-test-bot-token');

/** A clock the test moves by hand; nothing in the suite sleeps to let time pass. */
export class TestClock implements Clock {
  constructor(private current = new Date('2026-01-05T03:00:00Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestService extends RunningService {
  clock: TestClock;
  logLines: string[];
}

/**
 * Starts the real service on a free port against the suite's database, with
 * only the outside world (Slack's and WhatsApp's APIs) left to nock.
 */
export async function startTestService(
  env: Record<string, string> = {},
  options: { clock?: TestClock; dbName?: string; jobs?: boolean } = {},
): Promise<TestService> {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-test-'));
  const config: Config = loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `${SLACK_API}/api/`,
    PORT: '0',
    PUBLIC_URL: 'https://wadesk.example.com',
    MONGODB_URI: requireTestDbUri(),
    ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'debug',
    // Paced posts wait on the service clock, which stands still here.
    ...UNPACED,
    ...env,
  });
  const clock = options.clock ?? new TestClock();
  const logLines: string[] = [];
  const service = await startService(config, {
    clock,
    logger: createLogger('debug', (line) => logLines.push(line)),
    dbName: options.dbName ?? uniqueDbName(),
    background: false,
    jobs: options.jobs ?? false,
  });
  return { ...service, clock, logLines };
}

export function requireTestDbUri(): string {
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) throw new Error('TEST_MONGODB_URI is unset: run the tests through jest (its global setup starts the database)');
  return uri;
}

export function uniqueDbName(): string {
  return `test_${crypto.randomBytes(6).toString('hex')}`;
}

/** Lets auth.test answer for the bot, as Bolt asks before running listeners. */
export function nockSlackAuth(): nock.Scope {
  return slackApi()
    .persist()
    .post('/api/auth.test')
    .reply(200, { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'wadesk', team_id: 'T0001', user_id: 'UBOT', bot_id: 'BBOT' });
}
