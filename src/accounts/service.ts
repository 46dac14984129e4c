import crypto from 'node:crypto';
import type { Deps } from '../context';
import type { Locale } from '../i18n';
import { mask } from '../security/secrets';
import {
  DuplicateAccountNameError,
  accountSecrets,
  createAccount,
  disconnectAccount,
  isAccountNameTaken,
  listAccounts,
  moveAccountApi,
  setAccountEnabled,
  updateAccount,
  type AccountApi,
  type AccountChanges,
} from '../store/accounts';
import { appendAudit } from '../store/audit';
import type { AccountDocument } from '../store/models';
import { syncAccountTemplates } from '../templates';
import { checkCredentials } from './credentials';
import type { ApiInput, ConnectInput, FieldErrors, SettingsInput } from './form';
import { kindTraits, type AccountKind, type KindTraits } from './kind';
import { findTeamAccount, type Actor } from './team';

/**
 * Connecting and changing WhatsApp accounts: the layer between the Slack
 * listeners and the store. Every change is checked against the workspace
 * and written to the audit log with secrets masked.
 */

/** What the views show about an account: never a token, only its mask. */
export interface AccountSummary {
  id: string;
  name: string;
  kind: AccountKind;
  /** On the On-Premises API Meta retired: it neither sends nor receives until moved. */
  retired: boolean;
  apiUrl: string;
  /** BSP only. */
  apiKeyHeader?: string;
  /** Templates are listed and managed here (the account has its WABA ID). */
  templatesManaged: boolean;
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
  qualityRating?: string;
  channelId: string;
  /** The language wadesk posts in the channel. */
  locale: Locale;
  enabled: boolean;
  tokenHint: string;
  appSecretHint?: string;
  /** Paste into Meta's dashboard (Cloud) or the provider's webhook setting (BSP); none for a retired account. */
  webhookUrl?: string;
  /** Meta's hub.verify_token; a BSP's URL carries it instead. */
  verifyToken?: string;
  /** The satisfaction survey, when the account sends one. */
  csat?: { question: string; options: string[] };
}

export type Outcome = { ok: true; account: AccountSummary } | { ok: false; errors: FieldErrors };

/**
 * Webhook URL of an account. Meta signs with the app's secret; a BSP forwards without Meta's
 * signature (it does not have the app secret), so the account's secret is in the path instead.
 * A retired account has none: its old URLs are answered 410 Gone.
 */
export function webhookUrl(publicUrl: string, account: { id: string; webhook: KindTraits['webhook'] }, verifyToken: string): string | undefined {
  const base = `${publicUrl}/webhooks/whatsapp/${account.id}`;
  if (account.webhook === 'gone') return undefined;
  return account.webhook === 'secret' ? `${base}/${verifyToken}` : base;
}

export function summarize(deps: Pick<Deps, 'config' | 'secrets'>, account: AccountDocument): AccountSummary {
  const traits = kindTraits(account.kind);
  const { verifyToken } = accountSecrets(account, deps.secrets);
  return {
    id: account.id,
    name: account.name,
    kind: traits.kind,
    retired: traits.api === undefined,
    apiUrl: account.apiUrl,
    apiKeyHeader: account.apiKeyHeader ?? undefined,
    templatesManaged: Boolean(account.wabaId),
    phoneNumberId: account.phoneNumberId ?? undefined,
    displayPhoneNumber: account.displayPhoneNumber ?? undefined,
    verifiedName: account.verifiedName ?? undefined,
    qualityRating: account.qualityRating ?? undefined,
    channelId: account.channelId,
    locale: account.locale,
    enabled: account.enabled,
    tokenHint: account.tokenHint,
    appSecretHint: account.appSecretHint ?? undefined,
    ...(account.csat ? { csat: { question: account.csat.question, options: [...account.csat.options] } } : {}),
    webhookUrl: webhookUrl(deps.config.publicUrl, { id: account.id, webhook: traits.webhook }, verifyToken),
    // Meta's hub.verify_token is asked for signed (Cloud) webhooks only; a BSP's is in its URL.
    verifyToken: traits.webhook === 'signed' ? verifyToken : undefined,
  };
}

export async function listAccountSummaries(deps: Deps, teamId: string): Promise<AccountSummary[]> {
  return (await listAccounts(teamId)).map((a) => summarize(deps, a));
}

/** Checks the name, then the credentials against WhatsApp, and only then saves. */
export async function connectAccount(deps: Deps, actor: Actor, input: ConnectInput): Promise<Outcome> {
  if (await isAccountNameTaken(actor.teamId, input.name)) return duplicateName(input.name);
  const checked = await checkApi(deps, input);
  if (!checked.ok) return checked;

  let account: AccountDocument;
  try {
    account = await createAccount({
      teamId: actor.teamId,
      name: input.name,
      ...checked.api,
      verifyTokenSealed: deps.secrets.seal(crypto.randomBytes(24).toString('base64url')),
      channelId: input.channelId,
      locale: input.locale,
      createdBy: actor.userId,
    });
  } catch (err) {
    if (err instanceof DuplicateAccountNameError) return duplicateName(input.name);
    throw err;
  }
  await audit(deps, actor, 'account.connect', account, undefined);
  deps.logger.info('whatsapp account connected', { accountId: account.id, teamId: actor.teamId, kind: input.kind });
  importTemplates(deps, account);
  return { ok: true, account: summarize(deps, account) };
}

/** Checks the credentials against the API (Meta's, or the BSP's) and gives what is stored of them: secrets sealed. */
async function checkApi(
  deps: Pick<Deps, 'secrets'>,
  input: ApiInput,
): Promise<{ ok: true; api: AccountApi } | { ok: false; errors: FieldErrors }> {
  const check = await checkCredentials(input);
  if (!check.ok) return { ok: false, errors: { [check.field]: check.problem } };
  return {
    ok: true,
    api: {
      kind: input.kind,
      apiUrl: input.apiUrl,
      tokenSealed: deps.secrets.seal(input.token),
      tokenHint: mask(input.token),
      phoneNumberId: input.phoneNumberId,
      wabaId: input.wabaId,
      apiKeyHeader: input.apiKeyHeader,
      appSecretSealed: input.appSecret ? deps.secrets.seal(input.appSecret) : undefined,
      appSecretHint: input.appSecret ? mask(input.appSecret) : undefined,
      displayPhoneNumber: check.info.displayPhoneNumber,
      verifiedName: check.info.verifiedName,
      qualityRating: check.info.qualityRating,
    },
  };
}

/**
 * Moves an account to the Cloud API or a BSP once its new credentials check out: a retired
 * On-Premises one, or one changing provider (or adding its WABA ID). It keeps its id, so its
 * channel, conversations and templates stay with it; undefined when the account is not the
 * workspace's (or is gone).
 */
export async function moveAccount(deps: Deps, actor: Actor, accountId: string, input: ApiInput): Promise<Outcome | undefined> {
  const account = await findTeamAccount(actor.teamId, accountId);
  if (!account) return undefined;
  const checked = await checkApi(deps, input);
  if (!checked.ok) return checked;
  const before = auditValues(account);
  const moved = await moveAccountApi(account.id, checked.api);
  if (!moved) return undefined;
  await audit(deps, actor, 'account.move', moved, before);
  deps.logger.info('account moved to another API', { accountId: account.id, teamId: actor.teamId, kind: input.kind });
  importTemplates(deps, moved);
  return { ok: true, account: summarize(deps, moved) };
}

/** Templates made elsewhere show up at once; in the background, since the modal must answer fast. */
function importTemplates(deps: Deps, account: AccountDocument): void {
  if (!account.wabaId) return;
  syncAccountTemplates(deps, account).catch((err: unknown) =>
    deps.logger.warn('templates could not be imported on connect; the next sync will retry', { accountId: account.id, err }),
  );
}

/**
 * Saves the settings form. A new token is checked against WhatsApp first, like
 * on connect; undefined means the account is gone (disconnected meanwhile).
 */
export async function saveAccountSettings(
  deps: Deps,
  actor: Actor,
  accountId: string,
  input: SettingsInput,
): Promise<Outcome | undefined> {
  const account = await findTeamAccount(actor.teamId, accountId);
  if (!account) return undefined;
  if (await isAccountNameTaken(actor.teamId, input.name, account.id)) return duplicateName(input.name);

  const changes: AccountChanges = {
    name: input.name,
    enabled: input.enabled,
    channelId: input.channelId,
    ...(input.locale ? { locale: input.locale } : {}),
    csat: input.csat ?? undefined,
  };
  if (input.token) {
    const kind = kindTraits(account.kind).api;
    // A retired account's token reaches nothing: it is moved with new credentials instead.
    if (!kind) return { ok: false, errors: { token: { code: 'not_whatsapp_api' } } };
    const check = await checkCredentials({
      kind,
      apiUrl: account.apiUrl,
      token: input.token,
      phoneNumberId: account.phoneNumberId ?? undefined,
      wabaId: account.wabaId ?? undefined,
      apiKeyHeader: account.apiKeyHeader ?? undefined,
    });
    if (!check.ok) return { ok: false, errors: { [check.field === 'phone_number_id' ? 'token' : check.field]: check.problem } };
    Object.assign(changes, {
      tokenSealed: deps.secrets.seal(input.token),
      tokenHint: mask(input.token),
      displayPhoneNumber: check.info.displayPhoneNumber ?? account.displayPhoneNumber,
      verifiedName: check.info.verifiedName ?? account.verifiedName,
      qualityRating: check.info.qualityRating ?? account.qualityRating,
    });
  }
  if (input.appSecret) Object.assign(changes, { appSecretSealed: deps.secrets.seal(input.appSecret), appSecretHint: mask(input.appSecret) });

  const before = auditValues(account);
  let updated: AccountDocument | undefined;
  try {
    updated = await updateAccount(account.id, changes);
  } catch (err) {
    if (err instanceof DuplicateAccountNameError) return duplicateName(input.name);
    throw err;
  }
  if (!updated) return undefined;
  await audit(deps, actor, 'account.update', updated, before);
  return { ok: true, account: summarize(deps, updated) };
}

/** Flips the ON/OFF switch; undefined when the account is not the workspace's or is gone. */
export async function toggleAccount(deps: Deps, actor: Actor, accountId: string): Promise<AccountSummary | undefined> {
  const account = await findTeamAccount(actor.teamId, accountId);
  if (!account) return undefined;
  const before = auditValues(account);
  const updated = await setAccountEnabled(account.id, !account.enabled);
  if (!updated) return undefined;
  await audit(deps, actor, updated.enabled ? 'account.enable' : 'account.disable', updated, before);
  return summarize(deps, updated);
}

/** Disconnects the account, keeping its conversations as history. */
export async function disconnectTeamAccount(deps: Deps, actor: Actor, accountId: string): Promise<AccountSummary | undefined> {
  const account = await findTeamAccount(actor.teamId, accountId);
  if (!account) return undefined;
  const before = auditValues(account);
  const updated = await disconnectAccount(account.id);
  if (!updated) return undefined;
  await audit(deps, actor, 'account.disconnect', updated, before);
  deps.logger.info('whatsapp account disconnected', { accountId: account.id, teamId: actor.teamId });
  return summarize(deps, updated);
}

function duplicateName(name: string): Outcome {
  return { ok: false, errors: { name: { code: 'duplicate_name', params: { name } } } };
}

/** What the audit log records of an account: secrets only as their stored masks. */
function auditValues(account: AccountDocument): Record<string, unknown> {
  return {
    name: account.name,
    kind: account.kind,
    apiUrl: account.apiUrl,
    phoneNumberId: account.phoneNumberId ?? null,
    wabaId: account.wabaId ?? null,
    apiKeyHeader: account.apiKeyHeader ?? null,
    channelId: account.channelId,
    locale: account.locale,
    enabled: account.enabled,
    csat: account.csat ? { question: account.csat.question, options: [...account.csat.options] } : null,
    state: account.state,
    tokenHint: account.tokenHint,
    appSecretHint: account.appSecretHint ?? null,
  };
}

async function audit(
  deps: Deps,
  actor: Actor,
  action: string,
  account: AccountDocument,
  before: Record<string, unknown> | undefined,
): Promise<void> {
  await appendAudit(
    { teamId: actor.teamId, actorId: actor.userId, action, accountId: account.id, subject: `account:${account.id}`, before, after: auditValues(account) },
    deps.clock.now(),
  );
}
