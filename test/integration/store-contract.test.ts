import mongoose, { Types } from 'mongoose';
import { WINDOW_MS } from '../../src/domain/window';
import {
  findConversation,
  findConversationByCustomer,
  findConversationByThread,
  recordInbounds,
  recordReply,
  setThread,
  upsertConversation,
} from '../../src/store/conversations';
import { configureWriteGuards } from '../../src/store/database';
import { claimConversation } from '../../src/store/inbox';
import { advanceStatus, findMessageByWamid, insertMessage, markAccepted, type NewMessage } from '../../src/store/messages';
import { ConversationModel, MessageModel, WindowAlertModel } from '../../src/store/models';
import { recordInbound } from '../helpers/inbound';
import { requireTestDbUri, uniqueDbName } from '../helpers/service';

const HOUR = 60 * 60 * 1000;
const START = new Date('2025-03-01T08:00:00Z');

/** The store's contract: MongoDB's guarded updates, upserts and unique indexes (kept in-process on the embedded database). */
describe('store: guarded updates and unique keys', () => {
  beforeAll(async () => {
    await mongoose.connect(requireTestDbUri(), { dbName: uniqueDbName() });
    await Promise.all([ConversationModel.init(), MessageModel.init(), WindowAlertModel.init()]);
    await configureWriteGuards();
  });
  afterAll(() => mongoose.disconnect());

  let accountId: Types.ObjectId;
  let waSeq = 0;
  const nextWaId = () => `62811${String(++waSeq).padStart(6, '0')}`;
  beforeEach(() => {
    accountId = new Types.ObjectId();
  });

  describe('conversations by customer', () => {
    it('gives ten concurrent first messages of one customer a single conversation', async () => {
      const waId = nextWaId();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => upsertConversation({ accountId, customer: { phone: waId }, profileName: `Ana ${i}`, channelId: 'C1' })),
      );
      expect(new Set(results.map((c) => String(c._id))).size).toBe(1);
      expect(await ConversationModel.countDocuments({ accountId, waId })).toBe(1);
      expect(String((await findConversationByCustomer(accountId, waId))?._id)).toBe(String(results[0]?._id));
    });

    it('finds the same conversation again, updating the profile name, and keeps customers and accounts apart', async () => {
      const waId = nextWaId();
      const first = await upsertConversation({ accountId, customer: { phone: waId }, profileName: 'Ana', channelId: 'C1' });
      const again = await upsertConversation({ accountId, customer: { phone: waId }, profileName: 'Ana Maria', channelId: 'C2' });
      expect(String(again._id)).toBe(String(first._id));
      expect(again.profileName).toBe('Ana Maria');
      const stored = await findConversation(first._id);
      expect(stored?.profileName).toBe('Ana Maria');
      // The channel is the one of first contact.
      expect(stored?.channelId).toBe('C1');
      // No name in the delivery keeps the known one.
      expect((await upsertConversation({ accountId, customer: { phone: waId }, channelId: 'C1' })).profileName).toBe('Ana Maria');

      const other = await upsertConversation({ accountId, customer: { phone: nextWaId() }, channelId: 'C1' });
      const otherAccount = await upsertConversation({ accountId: new Types.ObjectId(), customer: { phone: waId }, channelId: 'C1' });
      expect(new Set([first, other, otherAccount].map((c) => String(c._id))).size).toBe(3);
      expect(String((await findConversationByCustomer(accountId, waId))?._id)).toBe(String(first._id));
      expect(await findConversationByCustomer(accountId, 'never-wrote')).toBeUndefined();
    });

    it('starts a new conversation when the old one was deleted', async () => {
      const waId = nextWaId();
      const old = await upsertConversation({ accountId, customer: { phone: waId }, channelId: 'C1' });
      await ConversationModel.deleteOne({ _id: old._id });
      const fresh = await upsertConversation({ accountId, customer: { phone: waId }, channelId: 'C1' });
      expect(String(fresh._id)).not.toBe(String(old._id));
      expect(String((await findConversationByCustomer(accountId, waId))?._id)).toBe(String(fresh._id));
    });

    it('finds a conversation by every identifier it learnt, the one first seen by an identifier keeping it', async () => {
      const phone = nextWaId();
      const bsuid = `ID.${String(waSeq)}000000000001`;
      const byBsuid = await upsertConversation({ accountId, customer: { userId: bsuid }, channelId: 'C1' });
      const linked = await upsertConversation({ accountId, customer: { userId: bsuid, phone }, channelId: 'C1' });
      expect(String(linked._id)).toBe(String(byBsuid._id));
      expect(String((await findConversationByCustomer(accountId, phone))?._id)).toBe(String(byBsuid._id));
      // A conversation first seen by that number, stored before: the number stays with it.
      const stored = await ConversationModel.create({ accountId, waId: nextWaId(), channelId: 'C1' });
      await upsertConversation({ accountId, customer: { userId: bsuid, phone: stored.waId }, channelId: 'C1' });
      expect(String((await findConversationByCustomer(accountId, stored.waId))?._id)).toBe(String(stored._id));
    });

    it('lets exactly one of ten concurrent claimants of a conversation have it', async () => {
      const c = await upsertConversation({ accountId, customer: { phone: nextWaId() }, channelId: 'C1' });
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, n) => claimConversation(c._id, `U${n}`, START)));
      const won = outcomes.filter((o) => o?.kind === 'won');
      expect(won).toHaveLength(1);
      const assignee = (await findConversation(c._id))?.assignee;
      expect(outcomes.filter((o) => o?.kind !== 'won').every((o) => o?.kind === 'taken' && o.holder === assignee)).toBe(true);
    });
  });

  describe('conversations by thread', () => {
    it('finds the conversation by the thread root stored first', async () => {
      const c = await upsertConversation({ accountId, customer: { phone: nextWaId() }, channelId: 'C1' });
      expect(await setThread(c._id, 'C1', '1700000001.000100')).toBe('1700000001.000100');
      // A second root (a retry that posted again) does not replace the first.
      expect(await setThread(c._id, 'C1', '1700000002.000100')).toBe('1700000001.000100');
      expect(String((await findConversationByThread('C1', '1700000001.000100'))?._id)).toBe(String(c._id));
      expect(await findConversationByThread('C1', '1700000002.000100')).toBeUndefined();
      expect(await findConversationByThread('C9', '1700000001.000100')).toBeUndefined();
      expect(await findConversationByThread('C1', '1700000009.000100')).toBeUndefined();
    });
  });

  describe('messages by wamid', () => {
    function message(conversationId: Types.ObjectId, fields: Partial<NewMessage> & Pick<NewMessage, 'key' | 'direction'>): NewMessage {
      return { accountId, conversationId, type: 'text', text: 'hi', sentAt: START, sender: { kind: 'customer', id: '628' }, ...fields };
    }

    it('finds an inbound message by its wamid, within its account only, and stores a redelivery once', async () => {
      const c = await upsertConversation({ accountId, customer: { phone: nextWaId() }, channelId: 'C1' });
      const wamid = `wamid.IN.${String(new Types.ObjectId())}`;
      const { message: stored, created } = await insertMessage(message(c._id, { key: wamid, wamid, direction: 'inbound', status: 'received' }));
      expect(created).toBe(true);
      expect(String((await findMessageByWamid(accountId, wamid))?._id)).toBe(String(stored._id));
      expect(await findMessageByWamid(new Types.ObjectId(), wamid)).toBeUndefined();
      expect(await findMessageByWamid(accountId, 'wamid.UNKNOWN')).toBeUndefined();

      const redelivered = await Promise.all([1, 2, 3].map(() => insertMessage(message(c._id, { key: wamid, wamid, direction: 'inbound', status: 'received' }))));
      expect(redelivered.every((r) => !r.created && String(r.message._id) === String(stored._id))).toBe(true);
      expect(await MessageModel.countDocuments({ key: wamid })).toBe(1);
      // Statuses are for our own messages only.
      expect(await advanceStatus(accountId, wamid, 'read')).toBeUndefined();
    });

    it('finds an outbound message by the wamid WhatsApp gave it on acceptance', async () => {
      const c = await upsertConversation({ accountId, customer: { phone: nextWaId() }, channelId: 'C1' });
      const { message: pending } = await insertMessage(message(c._id, { key: `slack:C1:${String(new Types.ObjectId())}`, direction: 'outbound', status: 'pending' }));
      const wamid = `wamid.OUT.${String(new Types.ObjectId())}`;
      expect(await advanceStatus(accountId, wamid, 'delivered')).toBeUndefined();

      const accepted = await markAccepted(pending._id, wamid);
      expect(accepted?.status).toBe('sent');
      expect(String((await findMessageByWamid(accountId, wamid))?._id)).toBe(String(pending._id));
      // Accepted once: a second acceptance changes nothing.
      expect(await markAccepted(pending._id, 'wamid.OTHER')).toBeUndefined();
      expect(await findMessageByWamid(accountId, 'wamid.OTHER')).toBeUndefined();

      expect((await advanceStatus(accountId, wamid, 'read'))?.status).toBe('read');
      expect(await advanceStatus(accountId, wamid, 'delivered')).toBeUndefined();
      expect(await advanceStatus(accountId, wamid, 'read')).toBeUndefined();
      expect(await advanceStatus(new Types.ObjectId(), wamid, 'failed')).toBeUndefined();
      const failed = await advanceStatus(accountId, wamid, 'failed', { code: 131026, title: 'undeliverable', meaning: 'unknown' });
      expect(failed?.status).toBe('failed');
      expect(failed?.error?.code).toBe(131026);
      expect(await advanceStatus(accountId, wamid, 'failed')).toBeUndefined();
      expect((await MessageModel.findById(pending._id))?.status).toBe('failed');
    });

    it('ends at the furthest status when statuses of one message arrive at once, in any order', async () => {
      const c = await upsertConversation({ accountId, customer: { phone: nextWaId() }, channelId: 'C1' });
      const wamid = `wamid.TPL.${String(new Types.ObjectId())}`;
      const { message: sent } = await insertMessage(
        message(c._id, { key: wamid, wamid, direction: 'outbound', status: 'sent', sender: { kind: 'slack', id: 'U0AGENT' } }),
      );
      await Promise.all((['read', 'sent', 'delivered', 'read', 'delivered'] as const).map((s) => advanceStatus(accountId, wamid, s)));
      expect((await MessageModel.findById(sent._id))?.status).toBe('read');
    });
  });

  describe('many conversations at once', () => {
    it('moves 300 windows in one bulk write, beside another, and reports each move (more statements than the embedded database has pooled connections)', async () => {
      const conversations = await Promise.all(Array.from({ length: 600 }, () => upsertConversation({ accountId, customer: { phone: nextWaId() }, channelId: 'C1' })));
      const at = new Date(START.getTime() + HOUR);
      const halves = [conversations.slice(0, 300), conversations.slice(300)];
      const recorded = await Promise.all(halves.map((half) => recordInbounds(half.map((conversation) => ({ conversation, inbounds: [{ at, preview: 'hi' }] })), [120])));
      expect(recorded.flat().every((r) => r.moves[0]?.moved === true)).toBe(true);
      expect(await ConversationModel.countDocuments({ accountId, windowClosesAt: new Date(at.getTime() + WINDOW_MS) })).toBe(600);
      expect(await WindowAlertModel.countDocuments({ accountId, closesAt: new Date(at.getTime() + WINDOW_MS) })).toBe(600);
    });
  });

  describe('recordInbound', () => {
    it('never moves the window backwards under concurrent out-of-order deliveries', async () => {
      for (let round = 0; round < 3; round++) {
        const c = await upsertConversation({ accountId, customer: { phone: nextWaId() }, channelId: 'C1' });
        const times = [5, 1, 9, 3, 7, 2, 8, 4, 6, 0].map((h) => new Date(START.getTime() + h * HOUR));
        // Every delivery starts from the same stale snapshot, as concurrent requests do.
        const results = await Promise.all(times.map((at, i) => recordInbound(c, { at, preview: `message ${i}` }, [120, 30])));
        const latest = new Date(START.getTime() + 9 * HOUR);
        const stored = await findConversation(c._id);
        expect(stored?.windowClosesAt?.getTime()).toBe(latest.getTime() + WINDOW_MS);
        expect(stored?.lastInboundAt?.getTime()).toBe(latest.getTime());
        const alert = await WindowAlertModel.findById(c._id);
        expect(alert?.closesAt.getTime()).toBe(latest.getTime() + WINDOW_MS);
        expect(alert?.nextAlertAt?.getTime()).toBe(latest.getTime() + WINDOW_MS - 120 * 60 * 1000);
        expect(results.some((r) => r.moved)).toBe(true);
      }
    });

    it('keeps a thread stored while window moves and a reply are written beside it', async () => {
      for (let round = 0; round < 5; round++) {
        const c = await upsertConversation({ accountId, customer: { phone: nextWaId() }, channelId: 'C1' });
        const ts = `1700000200.${String(waSeq).padStart(6, '0')}`;
        // FerretDB writes an update back as the whole document it read: unordered, these would drop the thread.
        await Promise.all([
          ...[1, 2, 3].map((h) => recordInbound(c, { at: new Date(START.getTime() + h * HOUR), preview: `m${h}` }, [120])),
          setThread(c._id, 'C1', ts),
          recordReply(c._id, new Date(START.getTime() + 2 * HOUR), 'U1'),
        ]);
        const stored = await findConversation(c._id);
        expect(stored?.threadTs).toBe(ts);
        expect(stored?.lastReplyBy).toBe('U1');
        expect(stored?.windowClosesAt?.getTime()).toBe(START.getTime() + 3 * HOUR + WINDOW_MS);
      }
    });

    it('reports a late delivery as not moving the window, and a message after the close as reopening it', async () => {
      const c = await upsertConversation({ accountId, customer: { phone: nextWaId() }, channelId: 'C1' });
      await setThread(c._id, 'C1', `1700000100.${String(waSeq).padStart(6, '0')}`);
      const first = await recordInbound((await findConversation(c._id)) ?? c, { at: START, preview: 'hello' }, [120]);
      expect(first).toMatchObject({ moved: true, reopened: false });
      const late = await recordInbound(first.conversation, { at: new Date(START.getTime() - HOUR), preview: 'older' }, [120]);
      expect(late.moved).toBe(false);
      expect(late.conversation.windowClosesAt?.getTime()).toBe(START.getTime() + WINDOW_MS);
      expect(late.conversation.lastInboundPreview).toBe('hello');
      // Even from a stale snapshot that knows no window yet.
      expect((await recordInbound(c, { at: new Date(START.getTime() - 2 * HOUR), preview: 'oldest' }, [120])).moved).toBe(false);
      expect((await findConversation(c._id))?.windowClosesAt?.getTime()).toBe(START.getTime() + WINDOW_MS);

      const back = new Date(START.getTime() + WINDOW_MS + HOUR);
      const reopened = await recordInbound(late.conversation, { at: back, preview: 'back again' }, [120]);
      expect(reopened).toMatchObject({ moved: true, reopened: true });
      expect(reopened.conversation.windowClosesAt?.getTime()).toBe(back.getTime() + WINDOW_MS);
      expect(reopened.conversation.lastInboundPreview).toBe('back again');
    });
  });
});
