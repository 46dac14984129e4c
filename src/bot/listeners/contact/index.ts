import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { findTeamConversation } from '../../../accounts/team';
import type { Deps } from '../../../context';
import { contactIssues, parseTags } from '../../../domain/contact';
import { conversationCustomer, customerHandle } from '../../../domain/customer';
import { contactCardFacts, updateContactCard } from '../../../inbox/contact';
import { slackUser, type SlackUser } from '../../user';
import { CONTACT_ACTION, CONTACT_BLOCKS, CONTACT_VIEW, contactErrors, contactModal } from '../../views/contact';
import { parseSubmission } from '../accounts/context';
import { rootModalButton, type Scoped } from '../inbox';
import { maySend } from '../templates/send';
import { metadata } from '../templates/shared';


async function cardOf(user: SlackUser, teamId: string, { conversation }: Scoped) {
  const facts = await contactCardFacts(teamId, conversation);
  return contactModal(user.t, {
    conversationId: String(conversation._id),
    name: conversation.profileName?.trim() || user.t.conversations.header.unknownName,
    handle: customerHandle(conversationCustomer(conversation)),
    firstSeen: conversation.createdAt,
    ...facts,
    tags: conversation.tags ?? [],
    notes: conversation.notes ?? '',
    timeZone: user.timeZone,
  });
}

const metaSchema = z.object({ conversationId: z.string() });

/** "Contact" on the thread root opens the card; saving it stores the tags and notes, audited, and the root shows the tags. */
export function registerContact(app: App, deps: Deps): void {
  app.action(CONTACT_ACTION, rootModalButton(deps, (user, found, ctx) => cardOf(user, ctx.teamId, found)));

  app.view(CONTACT_VIEW, async ({ ack, body, client }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>) => {
    const submission = parseSubmission(body);
    const meta = submission && metadata(metaSchema, submission.privateMetadata);
    const found = submission && meta && (await findTeamConversation(submission.teamId, meta.conversationId));
    const user = submission && found && (await slackUser(client, deps, submission.userId));
    if (!submission || !found || !user || !(await maySend(client, deps, user, found.account))) return void (await ack());
    const tags = parseTags(submission.field(CONTACT_BLOCKS.tags) ?? '');
    const notes = (submission.field(CONTACT_BLOCKS.notes) ?? '').trim();
    const issues = contactIssues(tags, notes);
    if (issues.length) return void (await ack({ response_action: 'errors', errors: contactErrors(user.t.contact, issues) }));
    await ack();
    await updateContactCard(deps, { teamId: submission.teamId, userId: user.id }, found, { tags, notes });
  });
}
