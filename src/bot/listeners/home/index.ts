import type { App } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Deps } from '../../../context';
import { slackUser, type SlackUser } from '../../user';
import { buildHomeView } from '../../views/home';
import { accountsHomeSection } from '../accounts/home-section';
import { metricsHomeSection, type MetricsPage } from '../metrics';
import { queuesHomeSection, type QueuePages } from '../inbox/queues';
import { setAsideSection } from '../set-aside/home-section';
import { windowsHomeSection } from '../window';

/** What a Home section is given to render itself for one user. */
export interface HomeContext {
  deps: Deps;
  client: WebClient;
  user: SlackUser;
  teamId: string;
  /** A confirmation to show at the top of the section that caused it, e.g. "Successfully updated!". */
  notice?: string;
  /** The page each paged section shows (zero-based; the first when absent). */
  pages?: HomePages;
}

export interface HomePages {
  accounts?: number;
  windows?: number;
  queues?: QueuePages;
  metrics?: MetricsPage;
}

export type HomeSection = (ctx: HomeContext) => Promise<KnownBlock[]>;

/** The App Home, top to bottom; each section's most blocks are in HOME_SECTION_MAX_BLOCKS (views/home.ts). Features add their section here, one line each. */
export const homeSections: HomeSection[] = [
  queuesHomeSection,
  accountsHomeSection,
  setAsideSection,
  windowsHomeSection,
  metricsHomeSection,
];

/** Renders every section for the user and publishes their Home tab. */
export async function publishHome(
  deps: Deps,
  client: WebClient,
  opts: { user: SlackUser; teamId: string; notice?: string; pages?: HomePages },
): Promise<void> {
  const ctx: HomeContext = { deps, client, ...opts };
  const sections = await Promise.all(homeSections.map((section) => section(ctx)));
  await client.views.publish({ user_id: opts.user.id, view: buildHomeView(opts.user.t, sections) });
}

const homeOpenedSchema = z.object({
  team_id: z.string().min(1),
  event: z.object({ user: z.string().min(1), tab: z.string().optional() }),
});

export function registerHome(app: App, deps: Deps): void {
  app.event('app_home_opened', async ({ body, client }) => {
    const parsed = homeOpenedSchema.safeParse(body);
    // The Messages tab has nothing of ours to render.
    if (!parsed.success || parsed.data.event.tab === 'messages') return;
    const user = await slackUser(client, deps, parsed.data.event.user);
    await publishHome(deps, client, { user, teamId: parsed.data.team_id });
  });
}
