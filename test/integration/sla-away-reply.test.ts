import nock from 'nock';
import { z } from 'zod';
import { updateAccount } from '../../src/store/accounts';
import { ConversationModel, MessageModel, SlaClockModel } from '../../src/store/models';
import { sendOk } from '../fakes/whatsapp-contract';
import { GRAPH_API, PHONE_NUMBER_ID, FakeSlack, postWebhook, suiteWithAccount, textDelivery } from '../fixtures/conversations';

/**
 * The away reply end to end: signed WhatsApp webhooks in, the outbox out to WhatsApp (nock, its
 * contract checked) and to a fake Slack, on the service's clock set to each side of the hours.
 */

const AWAY = 'Terima kasih! Kami buka lagi Senin 08.00 WIB.';
const CUSTOMER = '6281200000077';
const jkt = (iso: string) => new Date(`${iso}+07:00`);
// Saturday 2026-01-10 in Jakarta: the office (Mon-Fri 08:00-17:00) is closed until Monday 08:00.
const SATURDAY = jkt('2026-01-10T10:00:00');
const textSent = z.object({ text: z.object({ body: z.string() }) });

const slack = new FakeSlack();
const suite = suiteWithAccount(slack, SATURDAY);
let seq = 0;
const sent: string[] = [];

beforeEach(async () => {
  sent.length = 0;
  // Through the store, which drops its cached copy as Settings does.
  await updateAccount(String(suite.account()._id), {
    businessHours: { timeZone: 'Asia/Jakarta', ranges: [1, 2, 3, 4, 5].map((day) => ({ day, start: 480, end: 1020 })), holidays: [] } as never,
    awayReply: AWAY,
    enabled: true,
  });
  await SlaClockModel.deleteMany({});
  nock(GRAPH_API)
    .persist()
    .post(`/${PHONE_NUMBER_ID}/messages`, (b: unknown) => (sent.push(textSent.parse(b).text.body), true))
    .reply(200, () => sendOk(`wamid.AWAY${seq++}`, CUSTOMER));
});

async function customerWrites(at: Date, body = 'Halo, pesanan saya?'): Promise<void> {
  const res = await postWebhook(suite.service(), String(suite.account()._id), textDelivery({ wamid: `wamid.IN${seq++}`, from: CUSTOMER, at, body }));
  expect(res.status).toBe(200);
  await suite.service().outbox.drain();
}

it('answers the first message of a closed period once, shown in the thread as sent by wadesk, and keeps the targets running', async () => {
  await customerWrites(SATURDAY);
  expect(sent).toEqual([AWAY]);
  const shown = slack.posts('Away reply sent by wadesk');
  expect(shown).toHaveLength(1);
  const root = slack.posts().find((p) => p.thread_ts === undefined);
  expect(shown[0]?.thread_ts).toBeDefined();
  expect(JSON.stringify(shown[0])).toContain('Terima kasih!');
  // The root says the team is away, and until when (Monday 08:00 WIB = 01:00Z).
  expect(JSON.stringify(root)).toContain(`Team away, back <!date^${jkt('2026-01-12T08:00:00').getTime() / 1000}^`);

  const stored = await MessageModel.findOne({ direction: 'outbound' });
  expect(stored).toMatchObject({ sender: { kind: 'wadesk' }, status: 'sent', text: AWAY });
  // wadesk's own reply answers nobody: no reply recorded, the response target still runs.
  const conversation = await ConversationModel.findOne({});
  expect(conversation?.lastReplyAt).toBeFalsy();
  expect(await SlaClockModel.findById(conversation?._id)).not.toBeNull();

  // More messages in the same closed period, and a redelivery: nothing more is sent.
  suite.service().clock.set(jkt('2026-01-11T20:00:00'));
  await customerWrites(jkt('2026-01-11T20:00:00'), 'Halo?');
  expect(sent).toEqual([AWAY]);
  expect(slack.posts('Away reply sent by wadesk')).toHaveLength(1);
});

it('sends nothing while the team is open, and again once in the next closed period', async () => {
  const monday = jkt('2026-01-12T09:00:00');
  suite.service().clock.set(monday);
  await customerWrites(monday);
  expect(sent).toEqual([]);
  const evening = jkt('2026-01-12T17:00:00');
  suite.service().clock.set(evening);
  await customerWrites(evening);
  expect(sent).toEqual([AWAY]);
  const tuesdayNight = jkt('2026-01-13T23:00:00');
  suite.service().clock.set(tuesdayNight);
  await customerWrites(tuesdayNight);
  expect(sent).toEqual([AWAY, AWAY]);
});

it('never answers outside the 24-hour window: a message delivered a day late gets none', async () => {
  suite.service().clock.set(jkt('2026-01-11T11:00:00'));
  await customerWrites(SATURDAY);
  expect(sent).toEqual([]);
  expect(slack.posts('Away reply sent by wadesk')).toHaveLength(0);
});

it('sends none without an away reply text, nor from a switched-off account', async () => {
  await updateAccount(String(suite.account()._id), { awayReply: undefined });
  await customerWrites(SATURDAY);
  expect(sent).toEqual([]);
  await updateAccount(String(suite.account()._id), { awayReply: AWAY, enabled: false });
  await customerWrites(jkt('2026-01-10T11:00:00'));
  expect(sent).toEqual([]);
});
