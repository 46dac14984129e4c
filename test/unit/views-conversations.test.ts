import {
  SEND_TEMPLATE_ACTION,
  contentPreview,
  escapeMrkdwn,
  failureView,
  inboundMessageView,
  slackDate,
  slackEmojiName,
  threadHeader,
  windowClosedEphemeral,
} from '../../src/bot/views/conversations';
import { mediaFilename, mediaKindOf, slackToWhatsAppText } from '../../src/conversations/format';
import { strings } from '../../src/i18n';
import type { MessageContent } from '../../src/whatsapp/inbound';

const en = strings('en').conversations;
const id = strings('id').conversations;
const now = new Date('2026-01-05T03:00:00Z');
const json = (v: unknown) => JSON.stringify(v);

describe('thread header', () => {
  const base = { customerName: 'Sheena <Nelson>', customer: { phone: '16505551234' }, accountName: 'Sales', now, timeZone: 'Asia/Jakarta' };

  it('shows the customer, the account and the close time as a Slack date token in the reader’s zone', () => {
    const closes = new Date('2026-01-05T10:30:00Z');
    const view = threadHeader(en, { ...base, windowClosesAt: closes });
    const text = json(view.blocks);
    expect(text).toContain('Sheena &lt;Nelson&gt;');
    expect(text).toContain('+16505551234');
    expect(text).toContain('Account: Sales');
    expect(text).toContain(`Reply before <!date^${closes.getTime() / 1000}^{date_short_pretty} {time}|`);
    // The fallback, for clients that cannot render the token, is in the service's zone.
    expect(text).toContain('17:30');
  });

  it('says the window closed once it has, at the very moment of closing too', () => {
    const view = threadHeader(en, { ...base, windowClosesAt: now });
    expect(json(view.blocks)).toMatch(/closed <!date/);
    expect(json(view.blocks)).not.toMatch(/Reply before/);
  });

  it('shows the username beside the number, and the BSUID of a customer who shares neither', () => {
    const both = threadHeader(en, { ...base, customer: { phone: '16505551234', userId: 'US.13491208655302741918', username: '@sheena' } });
    expect(json(both.blocks)).toContain('@sheena · +16505551234');
    expect(both.text).toBe('WhatsApp conversation with Sheena &lt;Nelson&gt; (@sheena · +16505551234)');
    const usernameOnly = threadHeader(en, { ...base, customer: { userId: 'US.13491208655302741918', username: 'sheena' } });
    expect(usernameOnly.text).toContain('(@sheena)');
    expect(json(usernameOnly.blocks)).not.toContain('US.1349');
    const bsuidOnly = threadHeader(id, { ...base, customer: { userId: 'US.13491208655302741918' } });
    expect(bsuidOnly.text).toBe('Percakapan WhatsApp dengan Sheena &lt;Nelson&gt; (US.13491208655302741918)');
  });

  it('names an unknown customer and speaks Indonesian', () => {
    const view = threadHeader(id, { ...base, customerName: '  ', windowClosesAt: new Date(now.getTime() + 1000) });
    expect(view.text).toContain('Pelanggan tanpa nama');
    expect(json(view.blocks)).toContain('Balas sebelum');
  });
});

describe('message rendering', () => {
  it('escapes customer text so it cannot mention @channel or forge links', () => {
    const view = inboundMessageView(en, { content: { type: 'text', body: '<!channel> & <http://evil|bank>' } });
    expect(json(view.blocks)).toContain('&lt;!channel&gt; &amp; &lt;http://evil|bank&gt;');
    expect(escapeMrkdwn('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('shows a location as a map link', () => {
    const view = inboundMessageView(en, { content: { type: 'location', latitude: -6.2, longitude: 106.8, name: 'Monas' } });
    expect(json(view.blocks)).toContain('https://www.google.com/maps/search/?api=1&query=-6.2,106.8');
    expect(view.text).toBe('Location: Monas');
  });

  it('shows shared contacts as cards', () => {
    const view = inboundMessageView(en, {
      content: { type: 'contacts', contacts: [{ name: 'Barbara Johnson', phones: [{ phone: '+1 (940) 555-1234', type: 'HOME' }], emails: [{ email: 'b@example.com' }], organization: 'Acme' }] },
    });
    expect(json(view.blocks)).toContain('Barbara Johnson');
    expect(json(view.blocks)).toContain('+1 (940) 555-1234');
    expect(json(view.blocks)).toContain('b@example.com');
    expect(view.text).toBe('Shared a contact');
  });

  it('marks forwarded messages, replies and ad referrals', () => {
    const view = inboundMessageView(en, {
      content: { type: 'text', body: 'hi' },
      forwarded: true,
      contextWamid: 'wamid.X',
      referral: { headline: 'Summer sale', sourceUrl: 'https://fb.me/ad' },
    });
    const text = json(view.blocks);
    expect(text).toContain('Forwarded');
    expect(text).toContain('Replying to an earlier message');
    expect(text).toContain('Came from an ad: Summer sale');
  });

  it.each<[MessageContent, string]>([
    [{ type: 'unsupported', originalType: 'poll' }, 'Unsupported message (poll)'],
    [{ type: 'unsupported', originalType: '' }, 'Unsupported message'],
    [{ type: 'reaction', reactedWamid: 'w' }, 'Removed a reaction'],
    [{ type: 'audio', mediaId: 'm', voice: true }, 'Voice message'],
    [{ type: 'interactive', replyType: 'list_reply', id: '1', title: 'Blue' }, 'Picked “Blue”'],
    [{ type: 'order', catalogId: 'c', items: [{ productRetailerId: 'p', quantity: 2, itemPrice: 10, currency: 'IDR' }] }, 'Placed an order (1 item)'],
  ])('previews %j', (content, preview) => {
    expect(contentPreview(en, content)).toBe(preview);
  });
});

describe('failures and the closed window', () => {
  it('offers the Send template button with the conversation id when the window closed', () => {
    const view = windowClosedEphemeral(en, { conversationId: 'conv123', closesAt: now, timeZone: 'UTC' });
    expect(view.blocks[1]).toMatchObject({ type: 'actions', elements: [{ action_id: SEND_TEMPLATE_ACTION, value: 'conv123' }] });
    expect(SEND_TEMPLATE_ACTION).toBe('templates.send');
    expect(windowClosedEphemeral(en, { conversationId: 'c', timeZone: 'UTC' }).text).toMatch(/has not written yet/);
  });

  it('explains a failure by its meaning; only a closed window offers a template', () => {
    const closed = failureView(en, { code: 131047, meaning: 'window_closed', conversationId: 'c1' });
    expect(closed.text).toBe('Not delivered (WhatsApp error 131047): the 24-hour window has closed: send a template');
    expect(json(closed.blocks)).toContain(SEND_TEMPLATE_ACTION);
    const other = failureView(en, { code: 999999, meaning: 'unknown', title: 'Something odd', conversationId: 'c1' });
    expect(other.text).toBe('Not delivered (WhatsApp error 999999): Something odd');
    expect(json(other.blocks)).not.toContain(SEND_TEMPLATE_ACTION);
  });
});

describe('helpers', () => {
  it("formats Slack dates with a fallback in the reader's language and zone", () => {
    expect(slackDate(new Date('2026-01-05T03:00:00Z'), en.intl, 'Asia/Jakarta')).toBe('<!date^1767582000^{date_short_pretty} {time}|5 Jan 2026, 10:00 GMT+7>');
    expect(slackDate(new Date('2026-01-05T03:00:00Z'), id.intl, 'Asia/Jakarta')).toBe('<!date^1767582000^{date_short_pretty} {time}|5 Jan 2026, 10.00 WIB>');
    // Formatters are kept per language and zone: another zone, and the first one again, each keep their own.
    expect(slackDate(new Date('2026-01-05T03:00:00Z'), id.intl, 'Asia/Makassar')).toMatch(/\|5 Jan 2026, 11\.00 WITA>$/);
    expect(slackDate(new Date('2026-01-05T04:30:00Z'), id.intl, 'Asia/Jakarta')).toMatch(/\|5 Jan 2026, 11\.30 WIB>$/);
    expect(slackDate(new Date('2026-01-05T04:30:00Z'), en.intl, 'Asia/Jakarta')).toMatch(/\|5 Jan 2026, 11:30 GMT\+7>$/);
  });

  it('shows order prices as money in the reader’s language, whatever the currency', () => {
    const order: MessageContent = {
      type: 'order',
      catalogId: 'c',
      items: [
        { productRetailerId: 'kopi', quantity: 2, itemPrice: 150000, currency: 'IDR' },
        { productRetailerId: 'mug', quantity: 1, itemPrice: 12.5, currency: 'USD' },
      ],
    };
    const indonesian = json(inboundMessageView(id, { content: order }).blocks);
    expect(indonesian).toContain('2 × kopi seharga Rp150.000');
    expect(indonesian).toContain('1 × mug seharga US$12,50');
    const english = json(inboundMessageView(en, { content: order }).blocks);
    expect(english).toContain('2 × kopi at IDR\u00a0150,000');
    expect(english).toContain('1 × mug at US$12.50');
  });

  it('maps reaction emoji to Slack names, ignoring skin tones', () => {
    expect(slackEmojiName('👍')).toBe('+1');
    expect(slackEmojiName('👍🏽')).toBe('+1');
    expect(slackEmojiName('❤️')).toBe('heart');
    expect(slackEmojiName('🦄')).toBeUndefined();
  });

  it('turns Slack markup into WhatsApp text', () => {
    expect(slackToWhatsAppText('see <https://a.test/x|our shop> or <https://b.test> &lt;3 &amp; <mailto:x@y.test|x@y.test>')).toBe(
      'see our shop (https://a.test/x) or https://b.test <3 & x@y.test',
    );
    expect(slackToWhatsAppText('ask <@U123|rina> in <#C1|sales> <!here>')).toBe('ask @rina in #sales @here');
    expect(slackToWhatsAppText('*bold* _it_ ~gone~')).toBe('*bold* _it_ ~gone~');
  });

  it('picks WhatsApp media kinds and file names', () => {
    expect(mediaKindOf('image/jpeg')).toBe('image');
    expect(mediaKindOf('image/gif')).toBe('document');
    expect(mediaKindOf('audio/ogg; codecs=opus')).toBe('audio');
    expect(mediaKindOf('video/mp4')).toBe('video');
    expect(mediaFilename('image', 'image/jpeg')).toBe('image.jpg');
    expect(mediaFilename('document', 'application/x-unknown')).toBe('document.bin');
    expect(mediaFilename('document', 'application/pdf', ' invoice.pdf ')).toBe('invoice.pdf');
  });
});
