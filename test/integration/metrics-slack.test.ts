import { METRICS_ACTIONS, METRICS_VIEWS, metricsValue } from '../../src/bot/views/metrics';
import { upsertConversation } from '../../src/store/conversations';
import { recordMetricEvent } from '../../src/store/metrics-events';
import { enqueueMetricsDigests } from '../../src/metrics/digest';
import { AuditModel, ConversationModel, type AccountDocument } from '../../src/store/models';
import { blockActionsBody, viewContainer } from '../helpers/slack';
import { parseCsv } from '../helpers/csv-parse';
import { ADMIN, ADMIN_ID, AGENT, createAccount, slackSuite, TEAM, waitFor } from './templates-harness';

/**
 * The team's figures in Slack: `/whatsapp stats` privately for admins, the Home section, and the
 * CSV export to the admin's DM through Slack's external upload; refused for agents, clear about
 * unknown accounts, periods and bad date ranges.
 */

const NOW = new Date('2026-01-10T03:00:00Z');
const suite = slackSuite(NOW);
let account: AccountDocument;

const responseText = () => JSON.stringify(suite.slack.responses);
const dateState = (from: string | null, to: string | null) => ({
  values: {
    export_from: { date: { type: 'datepicker', selected_date: from } },
    export_to: { date: { type: 'datepicker', selected_date: to } },
  },
});

beforeAll(async () => {
  account = await createAccount(suite.service, { name: 'Toko Sari & Co', nameKey: 'toko sari & co' });
  const people = [
    { phone: '6281200000001', name: 'Siti Nurhaliza 🌸', at: '2026-01-05T02:00:00Z', extra: { assignee: AGENT, status: 'resolved', firstResponseMs: 300_000, resolutionMs: 3_600_000, slaBreachCount: 1, csatScore: 5 } },
    { phone: '6281200000002', name: '=HYPERLINK("http://evil.test","klik")', at: '2026-01-06T02:00:00Z', extra: {} },
    { phone: '6281200000003', name: 'Budi, "Pak" Santoso', at: '2026-01-07T02:00:00Z', extra: { status: 'pending' } },
    { phone: '6281200000004', name: 'Long ago', at: '2025-11-01T02:00:00Z', extra: {} },
  ];
  for (const p of people) {
    const c = await upsertConversation({ accountId: account._id, customer: { phone: p.phone }, profileName: p.name, channelId: 'C0SALES' });
    await ConversationModel.collection.updateOne({ _id: c._id }, { $set: { createdAt: new Date(p.at), ...p.extra } });
  }
  const c1 = await ConversationModel.findOne({ waId: '6281200000001' });
  await recordMetricEvent({ key: 'r1', kind: 'resolved', accountId: account._id, conversationId: c1!._id, at: new Date('2026-01-05T03:00:00Z'), agent: AGENT, ms: 3_600_000 });
  await recordMetricEvent({ key: 'f1', kind: 'first_response', accountId: account._id, conversationId: c1!._id, at: new Date('2026-01-05T02:05:00Z'), agent: AGENT, ms: 300_000 });
});

describe('/whatsapp stats', () => {
  it('shows an admin the last 7 days privately, per account and agent, the account’s name escaped', async () => {
    const res = await suite.slack.command(ADMIN, 'stats');
    expect(res.status).toBe(200);
    await waitFor(() => suite.slack.responses[0], 'the stats');
    const shown = responseText();
    expect(suite.slack.responses[0]).toMatchObject({ response_type: 'ephemeral' });
    expect(shown).toContain('Team metrics: Last 7 days');
    expect(shown).toContain('Toko Sari &amp; Co');
    expect(shown).toContain('Opened *3*');
    expect(shown).toContain('Resolved *1*');
    expect(shown).toContain('First response: median *5m*');
    expect(shown).toContain(`<@${AGENT}>: resolved 1`);
  });

  it('takes an account and 30d, and speaks Indonesian to an Indonesian admin', async () => {
    await suite.slack.command(ADMIN_ID, 'stats toko sari & co 30d');
    await waitFor(() => suite.slack.responses[0], 'the stats');
    expect(responseText()).toContain('Metrik tim: 30 hari terakhir');
    expect(responseText()).toContain('Dibuka *3*');
  });

  it('says so for an unknown period or account', async () => {
    await suite.slack.command(ADMIN, 'stats Toko Sari & Co 14d');
    await waitFor(() => suite.slack.responses[0], 'the answer');
    expect(responseText()).toContain("I don't know the period `14d`");
    suite.slack.clear();
    await suite.slack.command(ADMIN, 'stats Nowhere');
    await waitFor(() => suite.slack.responses[0], 'the answer');
    expect(responseText()).toContain('No connected WhatsApp account is called *Nowhere*');
    suite.slack.clear();
    await suite.slack.command(ADMIN, 'stats Toko 2');
    await waitFor(() => suite.slack.responses[0], 'the answer');
    expect(responseText()).toContain('No connected WhatsApp account is called *Toko 2*');
  });

  it('refuses an agent: the figures are the whole team’s', async () => {
    await suite.slack.command(AGENT, 'stats');
    await waitFor(() => suite.slack.responses[0], 'the answer');
    expect(responseText()).toContain('Only workspace admins and owners can see the team’s metrics');
    expect(responseText()).not.toContain('Opened');
  });

  it('switches to 30 days in the message, and on the Home tab', async () => {
    const toggle = { type: 'button', action_id: `${METRICS_ACTIONS.period}.30d`, value: metricsValue('30d', 0) };
    await suite.slack.action(ADMIN, toggle);
    await waitFor(() => suite.slack.responses[0], 'the message');
    expect(suite.slack.responses[0]).toMatchObject({ replace_original: true });
    expect(responseText()).toContain('Last 30 days');
    suite.slack.clear();
    await suite.slack.post(blockActionsBody(ADMIN, viewContainer({ id: 'V0HOME', type: 'home', teamId: TEAM }), toggle));
    const published = await waitFor(() => suite.slack.calls.find((c) => c.method === 'views.publish'), 'the Home');
    expect(JSON.stringify(published.params)).toContain('Team metrics: Last 30 days');
  });

  it('leaves the metrics off an agent’s Home tab', async () => {
    await suite.slack.post(blockActionsBody(AGENT, viewContainer({ id: 'V0HOME', type: 'home', teamId: TEAM }), { type: 'button', action_id: `${METRICS_ACTIONS.period}.7d`, value: metricsValue('7d', 0) }));
    await suite.service.slackSettled();
    expect(suite.slack.calls.find((c) => c.method === 'views.publish')).toBeUndefined();
  });
});

describe('the CSV export', () => {
  it('opens the form with the last seven days for an admin, and refuses an agent', async () => {
    await suite.slack.command(ADMIN, 'export');
    const opened = await suite.slack.waitView('views.open');
    expect(JSON.stringify(opened.view)).toContain('"initial_date":"2026-01-04"');
    expect(JSON.stringify(opened.view)).toContain('"initial_date":"2026-01-10"');
    suite.slack.clear();
    await suite.slack.command(AGENT, 'export');
    await waitFor(() => suite.slack.responses[0], 'the refusal');
    expect(suite.slack.views('views.open')).toEqual([]);
  });

  it.each([
    ['a missing day', null, '2026-01-09', 'export_from', 'Pick both days.'],
    ['a range ending before it starts', '2026-01-09', '2026-01-01', 'export_to', 'The last day comes before the first.'],
    ['a range too long', '2025-01-01', '2026-01-09', 'export_to', 'At most 92 days at a time.'],
    ['a range in the future', '2026-02-01', '2026-02-02', 'export_from', 'That day has not come yet.'],
  ])('refuses %s on its field', async (_name, from, to, field, error) => {
    const res = await suite.slack.submit(ADMIN, METRICS_VIEWS.export, dateState(from, to), '');
    expect(res.json).toEqual({ response_action: 'errors', errors: { [field]: error } });
    expect(suite.slack.uploads).toEqual([]);
  });

  it('refuses an agent’s submission', async () => {
    const res = await suite.slack.submit(AGENT, METRICS_VIEWS.export, dateState('2026-01-01', '2026-01-09'), '');
    expect(res.json?.response_action).toBe('errors');
    await suite.service.slackSettled();
    expect(suite.slack.uploads).toEqual([]);
  });

  it('uploads the range’s conversations to the admin’s DM as a CSV a spreadsheet reads, and audits it', async () => {
    const before = await AuditModel.countDocuments({ action: 'conversations.export' });
    const res = await suite.slack.submit(ADMIN, METRICS_VIEWS.export, dateState('2026-01-01', '2026-01-09'), '');
    expect(res.status).toBe(200);
    expect(res.json?.response_action).toBeUndefined();
    const complete = await waitFor(() => suite.slack.calls.find((c) => c.method === 'files.completeUploadExternal'), 'the upload');
    const start = suite.slack.calls.find((c) => c.method === 'files.getUploadURLExternal');
    expect(start?.params).toMatchObject({ filename: 'wadesk-conversations-2026-01-01-2026-01-09.csv' });
    expect(complete.params).toMatchObject({ channel_id: ADMIN });
    expect(String(complete.params.initial_comment)).toContain(': 3.');
    expect(suite.slack.calls.some((c) => c.method === 'files.upload')).toBe(false);

    expect(suite.slack.uploads).toHaveLength(1);
    const raw = suite.slack.uploads[0] ?? '';
    const bytes = Buffer.from(raw, /[^\x00-\xff]/.test(raw) ? 'utf8' : 'latin1');
    expect(Number(start?.params.length)).toBe(bytes.length);
    const text = bytes.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual(['Started', 'Account', 'Customer', 'Number', 'Assignee', 'Status', 'First response (minutes)', 'Resolution (minutes)', 'SLA breaches', 'CSAT']);
    expect(rows.slice(1)).toEqual([
      ['2026-01-05 02:00', 'Toko Sari & Co', 'Siti Nurhaliza 🌸', '+6281200000001', 'Rina', 'Resolved', '5', '60', '1', '5'],
      ['2026-01-06 02:00', 'Toko Sari & Co', `'=HYPERLINK("http://evil.test","klik")`, '+6281200000002', '', 'Open', '', '', '0', ''],
      ['2026-01-07 02:00', 'Toko Sari & Co', 'Budi, "Pak" Santoso', '+6281200000003', '', 'Pending', '', '', '0', ''],
    ]);
    await waitFor(async () => (await AuditModel.countDocuments({ action: 'conversations.export' })) > before || undefined, 'the audit');
    const audit = await AuditModel.findOne({ action: 'conversations.export' }).sort({ _id: -1 }).lean();
    expect(audit).toMatchObject({ teamId: TEAM, actorId: ADMIN, after: { from: '2026-01-01', to: '2026-01-09', rows: 3 } });
  });
});

describe('the daily digest', () => {
  it('posts yesterday’s figures in the account’s channel once, and nothing for a quiet day', async () => {
    suite.service.clock.set(new Date('2026-01-06T08:00:00Z'));
    await enqueueMetricsDigests(suite.service.deps);
    await enqueueMetricsDigests(suite.service.deps);
    await suite.service.outbox.drain();
    const posts = suite.slack.posts().filter((c) => String(c.params.text).includes('yesterday'));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.params.channel).toBe('C0SALES');
    expect(String(posts[0]?.params.text)).toContain('*Toko Sari &amp; Co*: yesterday, 5 Jan 2026');
    expect(String(posts[0]?.params.text)).toContain('Opened *1*');
    expect(String(posts[0]?.params.text)).toContain('Resolved *1*');

    suite.slack.clear();
    suite.service.clock.set(new Date('2026-01-10T08:00:00Z'));
    await enqueueMetricsDigests(suite.service.deps);
    await suite.service.outbox.drain();
    expect(suite.slack.posts()).toEqual([]);
  });
});
