import { uniqueInserts } from './batcher';
import { driverCollection } from './database';
import { ClaimModel, type Claim } from './models';

/** A turn won on a resource: which one, and whether an earlier holder's turn ran out before it. */
export interface Turn {
  resource: string;
  turn: number;
  /** An earlier turn exists: where holders forget their turns when done (the outbox), it ran out unfinished and its work may be half done. */
  tookOver: boolean;
}

/**
 * Takes the next turn on `resource` unless someone holds an unexpired one.
 * At most one caller wins a turn, even against concurrent callers on other instances.
 */
export async function claimTurn(resource: string, owner: string, now: Date, leaseMs: number): Promise<Turn | undefined> {
  // Most resources are claimed once (an outbox attempt): try the first turn, by its _id alone, with concurrent claimants'.
  if (await insertTurn(turnOf(resource, 0, owner, now, leaseMs))) return { resource, turn: 0, tookOver: false };
  // Rare (a live holder, or one that died): this filter is not on _id, and FerretDB scans the collection for it.
  const latest = await ClaimModel.findOne({ resource }, { turn: 1, until: 1 }).sort({ turn: -1 }).lean();
  if (latest && latest.until > now) return undefined;
  const turn = latest ? latest.turn + 1 : 0;
  if (!(await insertTurn(turnOf(resource, turn, owner, now, leaseMs)))) return undefined;
  return { resource, turn, tookOver: latest !== null };
}

/** `claimTurn`, answered as 'claimed' or 'took-over' (see `Turn.tookOver`). */
export async function tryClaim(resource: string, owner: string, now: Date, leaseMs: number): Promise<'claimed' | 'took-over' | undefined> {
  const won = await claimTurn(resource, owner, now, leaseMs);
  if (!won) return undefined;
  return won.tookOver ? 'took-over' : 'claimed';
}

function claims() {
  return driverCollection<Claim>(ClaimModel);
}

function turnId(resource: string, turn: number): string {
  return `${resource}#${turn}`;
}

function turnOf(resource: string, turn: number, owner: string, now: Date, leaseMs: number): Claim {
  return { _id: turnId(resource, turn), resource, turn, owner, until: new Date(now.getTime() + leaseMs) };
}

/**
 * Turns claimed at once go in one unordered insert; each is won or not (its _id was taken)
 * by itself. The driver's own insert: nothing to cast or validate, and mongoose's
 * `insertMany` costs a few times as much CPU.
 */
const turnInserts = uniqueInserts<Claim>((turns) => claims().insertMany(turns, { ordered: false }));

/** The turn's document has a unique _id: of concurrent inserts exactly one succeeds. */
async function insertTurn(claim: Claim): Promise<boolean> {
  return (await turnInserts.add(claim)) === true;
}

/** Ends the holder's turn early so the next claimant need not wait for the expiry. */
export async function releaseClaim(resource: string, owner: string): Promise<void> {
  const latest = await ClaimModel.findOne({ resource }).sort({ turn: -1 });
  if (latest?.owner === owner) await ClaimModel.updateOne({ _id: latest._id }, { $set: { until: new Date(0) } });
}

/**
 * Ends every turn the owner holds now, as though their leases had run out: the next claimant
 * takes over at once, as from a holder that died, so it treats the work as maybe half done.
 * Its filter is not on _id (FerretDB scans the claims): for after a failure, not for every turn.
 */
export async function expireTurns(owner: string): Promise<void> {
  await claims().updateMany({ owner }, { $set: { until: new Date(0) } });
}

/**
 * Forgets these turns and the ones before each, by _id, in one statement: the holders are
 * done with the resources. Turns are numbered from 0 and an earlier turn exists only where
 * a later one took over, so the usual case is one _id a turn. A later turn, taken after
 * one's lease ran out, is its holder's to forget.
 */
export async function forgetTurns(...turns: Pick<Turn, 'resource' | 'turn'>[]): Promise<void> {
  const ids = turns.flatMap(({ resource, turn }) => Array.from({ length: turn + 1 }, (_, t) => turnId(resource, t)));
  await claims().deleteMany({ _id: { $in: ids } });
}

/** Forgets just this turn, by _id: it was won on a resource that turned out to be finished already. */
export async function forgetTurn({ resource, turn }: Pick<Turn, 'resource' | 'turn'>): Promise<void> {
  await claims().deleteOne({ _id: turnId(resource, turn) });
}
