import nock from 'nock';
import { SLA_ACTIONS, SLA_VIEWS } from '../../src/bot/views/sla';
import { SLA_FIELDS, type SlaFormValues } from '../../src/sla/settings';
import { AccountModel, AuditModel, type AccountDocument } from '../../src/store/models';
import { startTestService, type TestService } from '../helpers/service';
import { ADMIN, ADMIN_ID, AGENT, TemplateSlack, createAccount, metadataOf, textOf } from './templates-harness';

/**
 * "Business hours & targets", driven as Slack sends it (signed block_actions and view_submission):
 * reachable from Settings, admins only, problems shown on their fields in the admin's language,
 * saved and audited.
 */

let service: TestService;
let slack: TemplateSlack;
let account: AccountDocument;

beforeAll(async () => {
  service = await startTestService();
  slack = new TemplateSlack(service);
  slack.install();
  account = await createAccount(service);
});
afterAll(async () => {
  await service.stop();
  nock.cleanAll();
});
beforeEach(() => slack.clear());

const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
function state(v: SlaFormValues) {
  return {
    values: {
      ...Object.fromEntries(
        (Object.keys(SLA_FIELDS) as (keyof typeof SLA_FIELDS)[]).filter((k) => k !== 'escalationChannel').map((k) => [SLA_FIELDS[k], text(v[k])]),
      ),
      [SLA_FIELDS.escalationChannel]: { value: { type: 'conversations_select', selected_conversation: v.escalationChannel ?? null } },
    },
  };
}
const good: SlaFormValues = {
  timeZone: 'Asia/Makassar',
  hours: 'Sen-Jum 08.00-17.00\nSat 22:00-02:00',
  holidays: '2026-12-25\n2027-01-01',
  first: '10',
  next: '45',
  warn: '3',
  escalationChannel: 'C0LEADS',
  userGroup: '<!subteam^S0LEADS|@support-leads>',
  awayReply: 'Terima kasih! Kami buka lagi Senin 08.00 WITA.',
};
const meta = () => JSON.stringify({ accountId: String(account._id) });
const submit = (user: string, v: SlaFormValues, metadata = meta()) => slack.submit(user, SLA_VIEWS.settings, state(v), metadata);

it('opens from the Settings modal with the defaults: Asia/Jakarta, 15 and 60 minutes, warned 5 before', async () => {
  await slack.click(ADMIN, SLA_ACTIONS.open, String(account._id), { id: 'V0SETTINGS' });
  const { view } = await slack.waitView('views.push');
  expect(view.callback_id).toBe(SLA_VIEWS.settings);
  expect(metadataOf(view)).toEqual({ accountId: String(account._id) });
  const shown = textOf(view);
  expect(shown).toContain('"initial_value":"Asia/Jakarta"');
  expect(shown).toContain('"initial_value":"15"');
  expect(shown).toContain('"initial_value":"60"');
  expect(shown).toContain('"initial_value":"5"');
});

it('is for admins only', async () => {
  await slack.click(AGENT, SLA_ACTIONS.open, String(account._id), { id: 'V0SETTINGS' });
  const { view } = await slack.waitView('views.push');
  expect(textOf(view)).toContain('Only workspace admins');
  const refused = await submit(AGENT, good);
  expect(refused.json?.response_action).toBe('errors');
  expect(Object.values(refused.json?.errors ?? {})[0]).toContain('Only workspace admins');
  expect((await AccountModel.findById(account._id))?.businessHours).toBeFalsy();
});

it.each([
  ['an unknown time zone', { timeZone: 'Asia/Bandung' }, SLA_FIELDS.timeZone, 'Not a time zone we know'],
  ['overlapping ranges', { hours: 'Mon-Fri 08:00-17:00\nFri 16:00-20:00' }, SLA_FIELDS.hours, 'Line 2: overlaps'],
  ['a range past midnight into the next one', { hours: 'Sat 22:00-06:00\nSun 05:00-09:00' }, SLA_FIELDS.hours, 'Line 2: overlaps'],
  ['a bad time', { hours: 'Mon 8-17' }, SLA_FIELDS.hours, 'Line 1: a time must be HH:MM'],
  ['a bad holiday date', { holidays: '2026-02-30' }, SLA_FIELDS.holidays, '"2026-02-30" is not a date'],
  ['a target that is not minutes', { first: 'soon' }, SLA_FIELDS.first, 'A whole number of minutes'],
  ['a warning later than a target', { warn: '45' }, SLA_FIELDS.warn, 'less than both targets'],
  ['a user group that is not one', { userGroup: '@support-leads' }, SLA_FIELDS.userGroup, 'Not a user group ID'],
])('refuses %s on its field, saving nothing', async (_name, change, field, message) => {
  const res = await submit(ADMIN, { ...good, ...change });
  expect(res.json?.response_action).toBe('errors');
  expect(res.json?.errors?.[field]).toContain(message);
  expect((await AccountModel.findById(account._id))?.businessHours).toBeFalsy();
});

it('says what is wrong in Indonesian to an admin whose Slack speaks it', async () => {
  const res = await submit(ADMIN_ID, { ...good, timeZone: 'WIB', holidays: '25-12-2026' });
  expect(res.json?.errors).toEqual({
    [SLA_FIELDS.timeZone]: expect.stringContaining('Zona waktu tidak dikenal'),
    [SLA_FIELDS.holidays]: expect.stringContaining('bukan tanggal'),
  });
});

it('saves, audits, and shows the saved values next time', async () => {
  service.clock.advance(1000);
  const res = await submit(ADMIN, good);
  expect(res.json?.response_action).toBe('update');
  expect(textOf(res.json?.view)).toContain('saved');
  const saved = await AccountModel.findById(account._id);
  expect(saved?.businessHours?.timeZone).toBe('Asia/Makassar');
  expect(saved?.businessHours?.ranges).toHaveLength(6);
  expect(saved?.businessHours?.holidays).toEqual(['2026-12-25', '2027-01-01']);
  expect(saved?.responseTargets).toMatchObject({ firstMinutes: 10, nextMinutes: 45, warnMinutes: 3 });
  expect(saved?.escalation).toMatchObject({ channelId: 'C0LEADS', userGroupId: 'S0LEADS' });
  expect(saved?.awayReply).toBe(good.awayReply);

  const [entry] = await AuditModel.find({ action: 'account.sla.update' }).lean();
  expect(entry).toMatchObject({ teamId: 'T0001', actorId: ADMIN, subject: `account:${String(account._id)}`, at: service.clock.now() });
  expect(entry?.after).toMatchObject({ timeZone: 'Asia/Makassar', hours: expect.stringContaining('Mon 08:00-17:00'), awayReply: good.awayReply });

  await slack.click(ADMIN, SLA_ACTIONS.open, String(account._id), { id: 'V0SETTINGS' });
  const { view } = await slack.waitView('views.push');
  const shown = textOf(view);
  expect(shown).toContain('Asia/Makassar');
  expect(shown).toContain('Sat 22:00-02:00');
  expect(shown).toContain('"initial_conversation":"C0LEADS"');

  // Emptied: no hours (always open), no away reply.
  await submit(ADMIN, { ...good, hours: '', awayReply: '' });
  const emptied = await AccountModel.findById(account._id);
  expect(emptied?.businessHours?.ranges).toHaveLength(0);
  expect(emptied?.awayReply).toBeFalsy();
});
