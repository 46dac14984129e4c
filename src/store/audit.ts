import { AuditModel } from './models';

export interface AuditInput {
  teamId: string;
  actorId: string;
  /** What happened, e.g. `account.connect`. */
  action: string;
  /** What it happened to, e.g. `account:<id>` or `template:<id>`. */
  subject: string;
  /** The WhatsApp account it happened in. */
  accountId: string;
  /** Values before and after; callers pass secrets only through mask(). */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** Appends one entry to the audit log. */
export async function appendAudit(entry: AuditInput, at: Date): Promise<void> {
  await AuditModel.create({ ...entry, at });
}

/** The workspace's latest entries, newest first. */
export async function listAudit(teamId: string, limit = 50) {
  return AuditModel.find({ teamId }).sort({ at: -1, _id: -1 }).limit(limit).lean();
}
