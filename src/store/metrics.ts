import type { Types } from 'mongoose';
import { summarizeCsat, summarizeDurations, type CsatSummary, type DurationSummary, type Span } from '../domain/metrics';
import { writingConversation } from './conversations';
import { ConversationModel, MessageModel, MetricEventModel } from './models';

/**
 * The team's figures for a period, per account and per agent, from what the database can count:
 * conversations started (`{accountId, createdAt}`), messages either way (`{accountId, sentAt}`,
 * grouped by the database, never read one by one), and the metric events of the period (`{accountId, at}`,
 * at most a few per conversation round, SLA breaches among them), whose durations are summarised here: MongoDB 6 has no
 * `$percentile`, nor FerretDB.
 */

export interface Figures {
  opened: number;
  resolved: number;
  reopened: number;
  firstResponse: DurationSummary;
  resolution: DurationSummary;
  slaBreaches: number;
  windowsUnanswered: number;
  messagesIn: number;
  messagesOut: number;
  csat: CsatSummary;
}

export interface AccountFigures {
  accountId: string;
  total: Figures;
  /** Each agent with anything counted for them, most messages sent first. */
  agents: { agent: string; figures: Figures }[];
}

/** The events read for one period at most; past it the figures say they are partial. */
export const MAX_EVENTS = 200_000;

interface Tally {
  opened: number;
  resolved: number;
  reopened: number;
  firstResponse: number[];
  resolution: number[];
  slaBreaches: number;
  windowsUnanswered: number;
  messagesIn: number;
  messagesOut: number;
  csat: number[];
  csatScale: number;
}

const emptyTally = (): Tally => ({
  opened: 0,
  resolved: 0,
  reopened: 0,
  firstResponse: [],
  resolution: [],
  slaBreaches: 0,
  windowsUnanswered: 0,
  messagesIn: 0,
  messagesOut: 0,
  csat: [],
  // The survey's options (3 to 5): the largest any answer of the period was given on.
  csatScale: 3,
});

function figuresOf(t: Tally): Figures {
  return {
    opened: t.opened,
    resolved: t.resolved,
    reopened: t.reopened,
    firstResponse: summarizeDurations(t.firstResponse),
    resolution: summarizeDurations(t.resolution),
    slaBreaches: t.slaBreaches,
    windowsUnanswered: t.windowsUnanswered,
    messagesIn: t.messagesIn,
    messagesOut: t.messagesOut,
    csat: summarizeCsat(t.csat, t.csatScale),
  };
}

class Tallies {
  private readonly accounts = new Map<string, { total: Tally; agents: Map<string, Tally> }>();

  of(accountId: Types.ObjectId | string, agent?: string | null): Tally[] {
    const key = String(accountId);
    let a = this.accounts.get(key);
    if (!a) this.accounts.set(key, (a = { total: emptyTally(), agents: new Map() }));
    if (!agent) return [a.total];
    let t = a.agents.get(agent);
    if (!t) a.agents.set(agent, (t = emptyTally()));
    return [a.total, t];
  }

  result(accountIds: readonly Types.ObjectId[]): AccountFigures[] {
    return accountIds.map((id) => {
      const a = this.accounts.get(String(id));
      const agents = [...(a?.agents ?? new Map<string, Tally>())]
        .map(([agent, t]) => ({ agent, figures: figuresOf(t) }))
        .sort((x, y) => y.figures.messagesOut - x.figures.messagesOut || y.figures.resolved - x.figures.resolved || x.agent.localeCompare(y.agent));
      return { accountId: String(id), total: figuresOf(a?.total ?? emptyTally()), agents };
    });
  }
}

type Grouped<K> = { _id: K; n: number };

/** The figures of `accountIds` for `span`, each account's in the order given. */
export async function accountFigures(accountIds: readonly Types.ObjectId[], span: Span): Promise<{ accounts: AccountFigures[]; partial: boolean }> {
  const tallies = new Tallies();
  if (accountIds.length === 0) return { accounts: [], partial: false };
  const ids = [...accountIds];
  const within = { $gte: span.start, $lt: span.end };

  const [opened, inbound, outbound] = await Promise.all([
    ConversationModel.aggregate<Grouped<Types.ObjectId>>([{ $match: { accountId: { $in: ids }, createdAt: within } }, { $group: { _id: '$accountId', n: { $sum: 1 } } }]),
    MessageModel.aggregate<Grouped<Types.ObjectId>>([{ $match: { accountId: { $in: ids }, sentAt: within, direction: 'inbound' } }, { $group: { _id: '$accountId', n: { $sum: 1 } } }]),
    MessageModel.aggregate<Grouped<{ a: Types.ObjectId; s?: string }>>([
        { $match: { accountId: { $in: ids }, sentAt: within, direction: 'outbound' } },
        { $group: { _id: { a: '$accountId', s: '$sender.id' }, n: { $sum: 1 } } },
      ]),
  ]);
  for (const g of opened) for (const t of tallies.of(g._id)) t.opened += g.n;
  for (const g of inbound) for (const t of tallies.of(g._id)) t.messagesIn += g.n;
  for (const g of outbound) for (const t of tallies.of(g._id.a, g._id.s)) t.messagesOut += g.n;

  let read = 0;
  const events = MetricEventModel.find({ accountId: { $in: ids }, at: within }, { accountId: 1, kind: 1, agent: 1, ms: 1, score: 1, scale: 1 })
    .limit(MAX_EVENTS)
    .lean()
    .cursor();
  for await (const e of events) {
    read += 1;
    for (const t of tallies.of(e.accountId, e.agent)) {
      switch (e.kind) {
        case 'reopened':
          t.reopened += 1;
          break;
        case 'first_response':
          if (typeof e.ms === 'number') t.firstResponse.push(e.ms);
          break;
        case 'resolved':
          t.resolved += 1;
          if (typeof e.ms === 'number') t.resolution.push(e.ms);
          break;
        case 'window_unanswered':
          t.windowsUnanswered += 1;
          break;
        case 'sla_breach':
          t.slaBreaches += 1;
          break;
        case 'csat':
          if (typeof e.score === 'number') t.csat.push(e.score);
          if (typeof e.scale === 'number') t.csatScale = Math.max(t.csatScale, e.scale);
          break;
      }
    }
  }
  return { accounts: tallies.result(ids), partial: read >= MAX_EVENTS };
}

/** The accounts' conversations started in `span`, oldest first, read `batchSize` at a time. */
export function conversationsStartedIn(accountIds: readonly Types.ObjectId[], span: Span, batchSize: number) {
  return ConversationModel.find({ accountId: { $in: [...accountIds] }, createdAt: { $gte: span.start, $lt: span.end } })
    .sort({ createdAt: 1, _id: 1 })
    .lean()
    .cursor({ batchSize });
}

/** Marks the round's survey as asked; false when it already was (asked once a round). */
export async function markSurveyAsked(conversationId: Types.ObjectId, now: Date): Promise<boolean> {
  const set = await writingConversation(conversationId, () => ConversationModel.updateOne({ _id: conversationId, csatAskedAt: null }, { $set: { csatAskedAt: now } }));
  return set.matchedCount === 1;
}

export async function setSurveyScore(conversationId: Types.ObjectId, score: number): Promise<void> {
  await writingConversation(conversationId, () => ConversationModel.updateOne({ _id: conversationId }, { $set: { csatScore: score } }));
}
