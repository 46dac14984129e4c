/** Slack channel pacing out of the way, for suites about something else (test/drills/slack-pacing is about it). */
export const UNPACED = { SLACK_CHANNEL_POSTS_PER_SECOND: '10000', SLACK_CHANNEL_BURST: '10000' };
