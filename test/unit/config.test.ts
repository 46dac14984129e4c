import { ConfigError, loadConfig } from '../../src/config';

const valid = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh' };

describe('loadConfig', () => {
  it('applies the embedded defaults', () => {
    const config = loadConfig(valid);
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.mongodbUri).toBeUndefined();
    expect(config.expiry.warnMinutes).toEqual([120, 30]);
    expect(config.timeZone).toBe('UTC');
    expect(config.slack.channelPacing).toEqual({ perSecond: 1, burst: 4 });
  });

  it('takes a channel pace and refuses one that would never post', () => {
    expect(loadConfig({ ...valid, SLACK_CHANNEL_POSTS_PER_SECOND: '0.5', SLACK_CHANNEL_BURST: '2' }).slack.channelPacing).toEqual({ perSecond: 0.5, burst: 2 });
    expect(() => loadConfig({ ...valid, SLACK_CHANNEL_POSTS_PER_SECOND: '0' })).toThrow(/SLACK_CHANNEL_POSTS_PER_SECOND .*messages posted per second/);
    expect(() => loadConfig({ ...valid, SLACK_CHANNEL_BURST: '1.5' })).toThrow(/SLACK_CHANNEL_BURST /);
  });

  it('lists every missing or invalid variable with what it is for', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', EXPIRY_WARN_MINUTES: '30,x', MONGODB_URI: 'mongodb://db/wadesk' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/SLACK_BOT_TOKEN is required: the bot token/);
    expect(message).toMatch(/slack-app-manifest\.json/);
    expect(message).toMatch(/SLACK_SIGNING_SECRET is required/);
    expect(message).toMatch(/PORT /);
    expect(message).toMatch(/EXPIRY_WARN_MINUTES /);
    expect(message).toMatch(/ENCRYPTION_KEY is required when MONGODB_URI is set/);
    expect((error as ConfigError).problems).toHaveLength(5);
  });

  it('needs no signing secret in Socket Mode', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack.appToken).toBe('xapp-1');
  });

  it('rejects a key that is not 32 bytes and a bad cron or time zone', () => {
    expect(() => loadConfig({ ...valid, ENCRYPTION_KEY: 'c2hvcnQ=' })).toThrow(/ENCRYPTION_KEY must be 32 bytes/);
    expect(() => loadConfig({ ...valid, EXPIRY_SWEEP_CRON: 'every minute' })).toThrow(/EXPIRY_SWEEP_CRON is not a valid cron/);
    expect(() => loadConfig({ ...valid, TZ: 'Mars/Olympus' })).toThrow(/TZ is not an IANA time zone/);
  });

  it('accepts a hex or base64 key and orders the warning thresholds', () => {
    const hex = 'ab'.repeat(32);
    const config = loadConfig({ ...valid, ENCRYPTION_KEY: hex, EXPIRY_WARN_MINUTES: '30, 120, 30' });
    expect(config.encryptionKey?.toString('hex')).toBe(hex);
    expect(config.expiry.warnMinutes).toEqual([120, 30]);
  });
});
