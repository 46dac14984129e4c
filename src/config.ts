import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';

const SLACK_HELP =
  'Create the Slack app from slack-app-manifest.json (api.slack.com/apps → Create New App → From a manifest), ' +
  'install it to your workspace, then copy the values into .env';

const csv = (schema: z.ZodType<string, string>) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(schema));

const cronExpression = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => cron.validate(v), 'is not a valid cron expression');

/** Each variable with what it is for: the text of the start-up error. */
export const CONFIG_HELP: Record<string, string> = {
  SLACK_BOT_TOKEN: `the bot token (xoxb-…) from "OAuth & Permissions". ${SLACK_HELP}`,
  SLACK_SIGNING_SECRET: `the signing secret from "Basic Information → App Credentials", used to check Slack's requests. ${SLACK_HELP}`,
  SLACK_APP_TOKEN: 'optional app-level token (xapp-…, scope connections:write) to use Socket Mode instead of a public URL',
  SLACK_API_URL: 'optional base URL of the Slack Web API, for proxies and tests (default https://slack.com/api/)',
  SLACK_CHANNEL_POSTS_PER_SECOND: "messages posted per second into one Slack channel, sustained; Slack's limit is about 1 (default 1)",
  SLACK_CHANNEL_BURST: 'messages that may go at once into a Slack channel that was quiet (default 4)',
  SLACK_ACK_BUDGET_MS: 'how long a form submission waits for WhatsApp before answering "Checking…"; Slack waits 3 s in all (default 2500)',
  PORT: 'the HTTP port of the webhook server (default 3000)',
  PUBLIC_URL: 'the public https URL of this service, shown in the WhatsApp webhook URLs (default http://localhost:PORT)',
  MONGODB_URI: 'optional MongoDB 6+ connection string; when unset an embedded database keeps its data in DATA_DIR',
  DATA_DIR: 'folder for the embedded database and its generated encryption key (default ./data)',
  EMBEDDED_DB_MAX_DOWN_SECONDS:
    'seconds the embedded database may stay down, restarts failing, before /healthz fails so the service is restarted (default 60)',
  ENCRYPTION_KEY:
    'a 32-byte key, base64 or hex, that encrypts stored WhatsApp tokens; required with MONGODB_URI (generate one: openssl rand -base64 32); change it with npm run rotate-key',
  ADMIN_USER_IDS: 'optional comma-separated Slack user IDs who may manage accounts besides workspace admins and owners',
  EXPIRY_SWEEP_CRON: 'cron schedule of the 24-hour window sweep (default every minute)',
  EXPIRY_WARN_MINUTES: 'comma-separated minutes before a window closes at which to warn (default 120,30)',
  DIGEST_CRON: 'cron schedule of the daily digest of unanswered conversations (default 08:00)',
  TEMPLATE_SYNC_CRON: 'cron schedule of the template status sync with WhatsApp (default every 15 minutes)',
  TZ: 'time zone for the cron schedules, for times written out in channel messages and for users whose Slack zone is unknown (default UTC)',
  NOTE_PREFIX: 'thread messages starting with this are internal notes, never sent to the customer (default //)',
  WEBHOOK_BODY_LIMIT_BYTES: 'largest webhook body accepted, in bytes (default 1048576)',
  LOG_LEVEL: 'debug, info, warn or error (default info)',
};

const schema = z
  .object({
    SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must start with xoxb-'),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must start with xapp-').optional(),
    SLACK_API_URL: z.url().optional(),
    SLACK_CHANNEL_POSTS_PER_SECOND: z.coerce.number().positive().default(1),
    SLACK_CHANNEL_BURST: z.coerce.number().int().min(1).default(4),
    SLACK_ACK_BUDGET_MS: z.coerce.number().int().min(0).max(2_900).default(2_500),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: z.url().optional(),
    MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    EMBEDDED_DB_MAX_DOWN_SECONDS: z.coerce.number().positive().default(60),
    ENCRYPTION_KEY: z
      .string()
      .optional()
      .refine((v) => v === undefined || decodeKey(v) !== undefined, 'must be 32 bytes as base64 or hex'),
    ADMIN_USER_IDS: csv(z.string().regex(/^[UW][A-Z0-9]+$/, 'must be Slack user IDs like U0123ABCD')),
    EXPIRY_SWEEP_CRON: cronExpression('* * * * *'),
    EXPIRY_WARN_MINUTES: z
      .string()
      .default('120,30')
      .transform((v) => v.split(',').map((s) => Number(s.trim())))
      .pipe(z.array(z.number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be numbers' : undefined) }).int().positive().max(24 * 60)).min(1, 'needs at least one value')),
    DIGEST_CRON: cronExpression('0 8 * * *'),
    TEMPLATE_SYNC_CRON: cronExpression('*/15 * * * *'),
    TZ: z
      .string()
      .default('UTC')
      .refine(isTimeZone, 'is not an IANA time zone such as Asia/Jakarta'),
    NOTE_PREFIX: z.string().min(1).default('//'),
    WEBHOOK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  });

/**
 * zod's checks worded as the rest of the message is ("PORT must be at most 65535"), for those that
 * carry no wording of their own; anything else keeps zod's.
 */
function problemOf(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (issue.expected === 'int') return 'must be a whole number';
      return issue.expected === 'number' ? 'must be a number' : undefined;
    case 'too_small':
      return issue.origin === 'number' ? `must be ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}` : undefined;
    case 'too_big':
      return issue.origin === 'number' ? `must be ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}` : undefined;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'url' ? 'must be a URL' : undefined;
    default:
      return undefined;
  }
}

/** Rules across variables, checked even when single variables fail, so one message lists all. */
function crossProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    problems.push(describe('SLACK_SIGNING_SECRET', 'is required (unless SLACK_APP_TOKEN is set)'));
  }
  if (env.MONGODB_URI && !env.ENCRYPTION_KEY) {
    problems.push(describe('ENCRYPTION_KEY', 'is required when MONGODB_URI is set'));
  }
  return problems;
}

function describe(name: string, problem: string): string {
  return `${name} ${problem}: ${CONFIG_HELP[name] ?? ''}`.trim();
}

export type Config = Readonly<{
  slack: {
    botToken: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl?: string;
    channelPacing: { perSecond: number; burst: number };
    /** How long a modal submission waits for its work before answering "Checking…". */
    ackBudgetMs: number;
  };
  port: number;
  publicUrl: string;
  mongodbUri?: string;
  dataDir: string;
  embeddedDbMaxDownMs: number;
  encryptionKey?: Buffer;
  adminUserIds: readonly string[];
  expiry: { sweepCron: string; warnMinutes: readonly number[] };
  digestCron: string;
  templateSyncCron: string;
  timeZone: string;
  notePrefix: string;
  webhookBodyLimitBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      'wadesk cannot start: the configuration has problems.\n' +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSet them in the environment or in .env (see .env.example).',
    );
    this.name = 'ConfigError';
  }
}

/** Validates the environment; throws one ConfigError that lists every problem. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(blanksRemoved, { error: problemOf });
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => describe(String(issue.path[0] ?? ''), issue.message))),
    ...crossProblems(blanksRemoved),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      channelPacing: { perSecond: e.SLACK_CHANNEL_POSTS_PER_SECOND, burst: e.SLACK_CHANNEL_BURST },
      ackBudgetMs: e.SLACK_ACK_BUDGET_MS,
    },
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    mongodbUri: e.MONGODB_URI,
    dataDir: path.resolve(e.DATA_DIR),
    embeddedDbMaxDownMs: e.EMBEDDED_DB_MAX_DOWN_SECONDS * 1000,
    encryptionKey: e.ENCRYPTION_KEY === undefined ? undefined : decodeKey(e.ENCRYPTION_KEY),
    adminUserIds: e.ADMIN_USER_IDS,
    expiry: { sweepCron: e.EXPIRY_SWEEP_CRON, warnMinutes: [...new Set(e.EXPIRY_WARN_MINUTES)].sort((a, b) => b - a) },
    digestCron: e.DIGEST_CRON,
    templateSyncCron: e.TEMPLATE_SYNC_CRON,
    timeZone: e.TZ,
    notePrefix: e.NOTE_PREFIX,
    webhookBodyLimitBytes: e.WEBHOOK_BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
  };
}

/** A 32-byte key given as hex (64 chars) or base64 (44 chars). */
export function decodeKey(text: string): Buffer | undefined {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return key.length === 32 ? key : undefined;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
