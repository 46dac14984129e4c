import { findTeamAccount, type Actor } from '../accounts/team';
import type { Deps } from '../context';
import { hoursText } from '../domain/business-hours';
import { appendAudit } from '../store/audit';
import { updateAccount, type AccountChanges } from '../store/accounts';
import type { AccountDocument } from '../store/models';
import { slaSettingsOf, type SlaFormInput } from './settings';

/** What the audit log keeps of an account's hours and targets: readable, and small. */
function auditValues(account: AccountDocument): Record<string, unknown> {
  const s = slaSettingsOf(account);
  return {
    timeZone: account.businessHours?.timeZone ?? null,
    hours: s.hours ? hoursText(s.hours.ranges) : '',
    holidays: [...(account.businessHours?.holidays ?? [])],
    targets: s.targets,
    escalation: s.escalation,
    awayReply: s.awayReply ?? null,
  };
}

/**
 * Saves the "Business hours & targets" form of one of the workspace's accounts, audited; undefined
 * when the account is not the workspace's (or is gone). Running targets follow the new settings at
 * their next check; a clock already scheduled later than its new moment is checked at the old one.
 */
export async function saveSlaSettings(deps: Pick<Deps, 'clock'>, actor: Actor, accountId: string, input: SlaFormInput): Promise<AccountDocument | undefined> {
  const account = await findTeamAccount(actor.teamId, accountId);
  if (!account) return undefined;
  const before = auditValues(account);
  const updated = await updateAccount(account.id, {
    // Mongoose casts the plain ranges into its subdocument array on save.
    businessHours: input.businessHours as unknown as AccountChanges['businessHours'],
    responseTargets: input.responseTargets,
    escalation: input.escalation,
    awayReply: input.awayReply,
  });
  if (!updated) return undefined;
  await appendAudit(
    { teamId: actor.teamId, actorId: actor.userId, action: 'account.sla.update', subject: `account:${updated.id}`, accountId: updated.id, before, after: auditValues(updated) },
    deps.clock.now(),
  );
  return updated;
}
