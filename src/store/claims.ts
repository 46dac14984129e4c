import { isDuplicateKey } from './database';
import { ClaimModel } from './models';

/**
 * Takes the next turn on `resource` unless someone holds an unexpired one.
 * At most one caller wins a turn, even against concurrent callers on other
 * instances. 'took-over' means an earlier turn exists: where holders forget
 * their turns when done (the outbox), it ran out unfinished and its work may be half done.
 */
export async function tryClaim(resource: string, owner: string, now: Date, leaseMs: number): Promise<'claimed' | 'took-over' | undefined> {
  // Most resources are claimed once (an outbox attempt): try the first turn, by its _id alone.
  if (await insertTurn(resource, 0, owner, now, leaseMs)) return 'claimed';
  const latest = await ClaimModel.findOne({ resource }).sort({ turn: -1 });
  if (latest && latest.until > now) return undefined;
  const turn = latest ? latest.turn + 1 : 0;
  if (!(await insertTurn(resource, turn, owner, now, leaseMs))) return undefined;
  return latest ? 'took-over' : 'claimed';
}

/** The turn's document has a unique _id: of concurrent inserts exactly one succeeds. */
async function insertTurn(resource: string, turn: number, owner: string, now: Date, leaseMs: number): Promise<boolean> {
  try {
    await ClaimModel.create({ _id: `${resource}#${turn}`, resource, turn, owner, until: new Date(now.getTime() + leaseMs) });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Ends the holder's turn early so the next claimant need not wait for the expiry. */
export async function releaseClaim(resource: string, owner: string): Promise<void> {
  const latest = await ClaimModel.findOne({ resource }).sort({ turn: -1 });
  if (latest?.owner === owner) await ClaimModel.updateOne({ _id: latest._id }, { $set: { until: new Date(0) } });
}

/** Forgets every turn on `resource` (for resources that will never be claimed again). */
export async function forgetClaims(resource: string): Promise<void> {
  await ClaimModel.deleteMany({ resource });
}
