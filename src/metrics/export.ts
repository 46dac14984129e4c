import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { WebClient } from '@slack/web-api';
import { csvRecord, UTF8_BOM } from '../domain/csv';
import { conversationCustomer, customerHandle } from '../domain/customer';
import { inboxStatus } from '../domain/inbox';
import { localDate, type Span } from '../domain/metrics';
import type { Strings } from '../i18n';
import type { Logger } from '../log';
import { appendAudit } from '../store/audit';
import { conversationsStartedIn } from '../store/metrics';
import type { AccountDocument } from '../store/models';

/**
 * The CSV export of conversations: those the workspace's accounts started in a span, one row each,
 * read from the database in batches and written to a temporary file as they come, so a long range
 * never sits in memory; then the file goes to the admin's DM through Slack's external upload
 * (files.getUploadURLExternal, a POST of the bytes, files.completeUploadExternal: files.upload was
 * retired on 2025-11-12), and the file is removed.
 */

const BATCH = 500;
const UPLOAD_TIMEOUT_MS = 120_000;

export interface ExportRequest {
  accounts: readonly AccountDocument[];
  span: Span;
  timeZone: string;
  t: Strings;
  /** Slack user id → how Slack shows them, for the assignee column (asked once per user). */
  userName: (userId: string) => Promise<string>;
}

const minutes = (ms: number | null | undefined) => (typeof ms === 'number' ? Math.round(ms / 6_000) / 10 : undefined);

/** "2026-01-05 14:30" in the zone: what spreadsheets read as a date and time. */
function localDateTime(at: Date, timeZone: string): string {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return `${localDate(at, timeZone)} ${time}`;
}

/** Writes the CSV to `file`; the number of conversations in it. */
export async function writeConversationsCsv(file: string, req: ExportRequest): Promise<number> {
  const c = req.t.metrics.export.columns;
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const names = new Map<string, string>();
  const nameOf = async (userId: string) => {
    let name = names.get(userId);
    if (name === undefined) names.set(userId, (name = await req.userName(userId)));
    return name;
  };
  const accountNames = new Map(req.accounts.map((a) => [String(a._id), a.name]));
  let rows = 0;
  try {
    await write(UTF8_BOM + csvRecord([c.startedAt, c.account, c.customer, c.phone, c.assignee, c.status, c.firstResponseMinutes, c.resolutionMinutes, c.slaBreaches, c.csat]));
    const cursor = conversationsStartedIn(req.accounts.map((a) => a._id), req.span, BATCH);
    for await (const conv of cursor) {
      const status = inboxStatus(conv.status);
      await write(
        csvRecord([
          conv.createdAt ? localDateTime(conv.createdAt, req.timeZone) : '',
          accountNames.get(String(conv.accountId)) ?? '',
          conv.profileName ?? '',
          customerHandle(conversationCustomer(conv)),
          conv.assignee ? await nameOf(conv.assignee) : '',
          req.t.inbox.status[status],
          minutes(conv.firstResponseMs),
          minutes(conv.resolutionMs),
          conv.slaBreachCount ?? 0,
          conv.csatScore ?? undefined,
        ]),
      );
      rows += 1;
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return rows;
}

/** Uploads `file` as `filename` and shares it in `channelId` with a comment; Slack's file id. */
export async function uploadToSlack(slack: WebClient, file: string, opts: { filename: string; title: string; channelId: string; comment: string }): Promise<string> {
  const { size } = await fs.promises.stat(file);
  const target = await slack.files.getUploadURLExternal({ filename: opts.filename, length: size });
  if (!target.upload_url || !target.file_id) throw new Error('Slack gave no upload URL');
  const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
  const uploaded = await fetch(target.upload_url, {
    method: 'POST',
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-length': String(size) },
    body,
    duplex: 'half',
    signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
  } as RequestInit);
  if (!uploaded.ok) throw new Error(`upload to Slack answered HTTP ${uploaded.status}`);
  await slack.files.completeUploadExternal({ files: [{ id: target.file_id, title: opts.title }], channel_id: opts.channelId, initial_comment: opts.comment });
  return target.file_id;
}

/** Writes and uploads the export, then audits it; the number of rows. The temporary file goes either way. */
export async function exportConversations(
  deps: { slack: WebClient; logger: Logger },
  req: ExportRequest & { channelId: string; filename: string; comment: (rows: number) => string },
  audit: { teamId: string; actorId: string; from: string | undefined; to: string | undefined; at: Date },
): Promise<number> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'wadesk-export-'));
  const file = path.join(dir, req.filename);
  try {
    const rows = await writeConversationsCsv(file, req);
    await uploadToSlack(deps.slack, file, { filename: req.filename, title: req.filename, channelId: req.channelId, comment: req.comment(rows) });
    const { teamId, actorId, from, to, at } = audit;
    await appendAudit({ teamId, actorId, action: 'conversations.export', subject: `team:${teamId}`, accountId: '', after: { from, to, rows, accounts: req.accounts.map((a) => String(a._id)) } }, at);
    return rows;
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
