/**
 * Slack channel pacing out of the way: for suites about something else (test/drills/slack-pacing
 * is about it), and for benches that load one channel far beyond Slack's pace.
 */
export const UNPACED = { SLACK_CHANNEL_POSTS_PER_SECOND: '10000', SLACK_CHANNEL_BURST: '10000' };
