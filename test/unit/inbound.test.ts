import {
  InboundEvent,
  InboundMessage,
  MessageStatus,
  parseCloudWebhook,
} from '../../src/whatsapp/inbound';

// The 16 examples of /whatsapp/webhooks in Meta's v23.0 OpenAPI description, unchanged (one per line).
const EXAMPLES = {
  "Text Message": {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]},"field":"messages"}]}]},
  "Text Message with Context (Product Inquiry)": {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"context":{"from":"15550783881","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA","referred_product":{"catalog_id":"194836987003835","product_retailer_id":"di9ozbzfi4"}},"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTA2NTUwRkNEMDdFQjJCRUU0NQA=","timestamp":"1750016800","text":{"body":"Is this still available?"},"type":"text"}]},"field":"messages"}]}]},
  "Text Message from Click to WhatsApp Ad": {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"referral":{"source_url":"https://fb.me/3cr4Wqqkv","source_id":"120226305854810726","source_type":"ad","body":"Summer Succulents are here!","headline":"Chat with us","media_type":"image","image_url":"https://scontent.xx.fbcdn.net/v/t45.1...","ctwa_clid":"Aff-n8ZTODiE79d22KtAwQKj9e_mIEOOj27vDVwFjN80dp4_0NiNhEgpGo0AHemvuSoifXaytfTzcchptiErTKCqTrJ5nW1h7IHYeYymGb5K5J5iTROpBhWAGaIAeUzHL50","welcome_message":{"text":"Hi there! Let us know how we can help!"}},"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ0N0VFMDA2MTQ0RkJFNkNDNAA=","timestamp":"1750275992","text":{"body":"Hello! Can I get more info on this?"},"type":"text"}]},"field":"messages"}]}]},
  "Reaction Message": {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749419544","type":"reaction","reaction":{"message_id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA","emoji":"👍"}}]},"field":"messages"}]}]},
  "Image Message": {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1744344496","type":"image","image":{"caption":"Taj Mahal","mime_type":"image/jpeg","sha256":"SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=","id":"1003383421387256"}}]},"field":"messages"}]}]},
  "Location Message": {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTU2MjZEMDBGRkE3MENEMDE0RQA=","timestamp":"1744344496","location":{"address":"101 Forest Ave, Palo Alto, CA 94301","latitude":37.44221496582,"longitude":-122.16165924072,"name":"Philz Coffee","url":"https://philzcoffee.com/"},"type":"location"}]},"field":"messages"}]}]},
  "Contact Sharing Message": {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1744344496","type":"contacts","contacts":[{"name":{"first_name":"Lucía","last_name":"Gómez","formatted_name":"Lucía Gómez"},"org":{"company":"Google"},"phones":[{"phone":"+1 (983) 555-2319","wa_id":"19835552319","type":"MOBILE"}]}]}]},"field":"messages"}]}]},
  "Unsupported Message": {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTQyMDU1NTA3NDkVAgASGBI5N0MwRjg0RTVBNUI1RDA2OTkA","timestamp":"1750090702","errors":[{"code":131051,"title":"Message type unknown","message":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}],"type":"unsupported"}]},"field":"messages"}]}]},
  "Button Message": {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"context":{"from":"15550783881","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA"},"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA=","timestamp":"1750091045","type":"button","button":{"payload":"Unsubscribe","text":"Unsubscribe"}}]},"field":"messages"}]}]},
  "Interactive List Reply Message": {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"context":{"from":"15550783881","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGMzEyNzhENTZDMzNGODlDRDgA"},"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUJDQ0NDM0FEODY4ODkzOTc5RgA=","timestamp":"1749854575","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"priority_express","title":"Priority Mail Express","description":"Next Day to 2 Days"}}}]},"field":"messages"}]}]},
  "Interactive Button Reply Message": {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"context":{"from":"15550783881","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA"},"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=","timestamp":"1750025136","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"cancel-button","title":"Cancel"}}}]},"field":"messages"}]}]},
  "Order Message": {"object":"whatsapp_business_account","entry":[{"id":"419561257915477","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTEyQjFGNzI1QTQxMjI5QTMyOQA=","timestamp":"1750096325","type":"order","order":{"catalog_id":"194836987003835","text":"","product_items":[{"product_retailer_id":"di9ozbzfi4","quantity":2,"item_price":30,"currency":"USD"},{"product_retailer_id":"nqryix03ez","quantity":1,"item_price":25,"currency":"USD"}]}}]},"field":"messages"}]}]},
  "System Message": {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"messages":[{"from":"16505551234","id":"wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==","timestamp":"1750269342","system":{"body":"User Sheena Nelson changed from 16505551234 to 12195555358","wa_id":"12195555358","type":"user_changed_number"},"type":"system"}]},"field":"messages"}]}]},
  "Group Create Message": {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"groups":[{"timestamp":"1750269342","group_id":"Y2FwaV9ncm91cDoxODA1NTU1MDE3MjoxMjAzNjMyMjI3NzE5NjMwNjcZD","type":"group_create","request_id":"784D93D0C468593037EA0B1ECA245D9C","subject":"your-group-subject","description":"your-group-description","added_participants":[{"input":16505551234,"wa_id":16505551234},{"input":16505551235,"wa_id":16505551235}]}]},"field":"group_lifecycle_update"}]}]},
  "Group Settings Update": {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"groups":[{"timestamp":"1750269342","group_id":"Y2FwaV9ncm91cDoxODA1NTU1MDE3MjoxMjAzNjMyMjI3NzE5NjMwNjcZD","type":"group_settings_update","request_id":"784D93D0C468593037EA0B1ECA245D9C","profile_picture":{"mime_type":"image/jpeg","sha256":"SfInY0gGKTsJlUWbwxC1k+FAD0FZHv"}}]},"field":"group_settings_update"}]}]},
  "Group Remove Participants": {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"groups":[{"timestamp":"1750269342","group_id":"Y2FwaV9ncm91cDoxODA1NTU1MDE3MjoxMjAzNjMyMjI3NzE5NjMwNjcZD","type":"group_create","request_id":"784D93D0C468593037EA0B1ECA245D9C","removed_participants":[{"input":16505551234,"wa_id":16505551234},{"input":16505551235,"wa_id":16505551235}]}]},"field":"group_participants_update"}]}]},
} as const;

type ExampleName = keyof typeof EXAMPLES;

function eventsOf(body: unknown): InboundEvent[] {
  const result = parseCloudWebhook(body);
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result.events;
}

function onlyMessage(name: ExampleName): InboundMessage {
  const events = eventsOf(EXAMPLES[name]);
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event?.kind !== 'message') throw new Error(`expected a message event, got ${event?.kind}`);
  return event.message;
}

function reasonOf(result: ReturnType<typeof parseCloudWebhook>): string {
  if (result.ok) throw new Error('expected ok:false');
  return result.reason;
}

const PHONE_NUMBER_ID = '106540352242922';

/** A Cloud delivery with one `messages` change carrying the given value fields. */
function cloud(value: Record<string, unknown>, field = 'messages', wabaId = '419561257915477'): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: wabaId,
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

function message(overrides: Record<string, unknown>): Record<string, unknown> {
  return { from: '16505551234', id: 'wamid.X', timestamp: '1750000000', ...overrides };
}

function contentOf(msg: Record<string, unknown>) {
  const events = eventsOf(cloud({ messages: [msg] }));
  const [event] = events;
  if (event?.kind !== 'message') throw new Error('expected a message event');
  return event.message.content;
}

describe('parseCloudWebhook: the 16 OpenAPI examples', () => {
  it('covers exactly the 16 examples', () => {
    expect(Object.keys(EXAMPLES)).toHaveLength(16);
  });

  it.each(Object.keys(EXAMPLES) as ExampleName[])('%s parses', (name) => {
    expect(parseCloudWebhook(EXAMPLES[name])).toMatchObject({ ok: true });
  });

  it('Text Message', () => {
    const m = onlyMessage('Text Message');
    expect(m).toEqual({
      wamid: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      customer: { phone: '16505551234' },
      profileName: 'Sheena Nelson',
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: '419561257915477',
      timestamp: new Date(1749416383 * 1000),
      contextWamid: undefined,
      referredProduct: undefined,
      forwarded: undefined,
      referral: undefined,
      content: { type: 'text', body: 'Does it come in another color?' },
    });
    expect(m.timestamp).toBeInstanceOf(Date);
    expect(m.timestamp.toISOString()).toBe('2025-06-08T20:59:43.000Z');
  });

  it('Text Message with Context (Product Inquiry)', () => {
    const m = onlyMessage('Text Message with Context (Product Inquiry)');
    expect(m.wamid).toBe('wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTA2NTUwRkNEMDdFQjJCRUU0NQA=');
    expect(m.wabaId).toBe('102290129340398');
    expect(m.contextWamid).toBe('wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA');
    expect(m.referredProduct).toEqual({ catalogId: '194836987003835', productRetailerId: 'di9ozbzfi4' });
    expect(m.content).toEqual({ type: 'text', body: 'Is this still available?' });
  });

  it('Text Message from Click to WhatsApp Ad', () => {
    const m = onlyMessage('Text Message from Click to WhatsApp Ad');
    expect(m.content).toEqual({ type: 'text', body: 'Hello! Can I get more info on this?' });
    expect(m.referral).toEqual({
      sourceType: 'ad',
      sourceId: '120226305854810726',
      sourceUrl: 'https://fb.me/3cr4Wqqkv',
      headline: 'Chat with us',
      body: 'Summer Succulents are here!',
    });
    expect(m.timestamp).toEqual(new Date(1750275992000));
  });

  it('Reaction Message', () => {
    const m = onlyMessage('Reaction Message');
    expect(m.content).toEqual({
      type: 'reaction',
      emoji: '👍',
      reactedWamid: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA',
    });
  });

  it('Image Message', () => {
    const m = onlyMessage('Image Message');
    expect(m.content).toMatchObject({
      type: 'image',
      mediaId: '1003383421387256',
      mimeType: 'image/jpeg',
      caption: 'Taj Mahal',
      sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=',
    });
    expect(m.timestamp).toEqual(new Date(1744344496000));
  });

  it('Location Message', () => {
    const m = onlyMessage('Location Message');
    expect(m.wamid).toBe('wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTU2MjZEMDBGRkE3MENEMDE0RQA=');
    expect(m.content).toEqual({
      type: 'location',
      latitude: 37.44221496582,
      longitude: -122.16165924072,
      name: 'Philz Coffee',
      address: '101 Forest Ave, Palo Alto, CA 94301',
      url: 'https://philzcoffee.com/',
    });
  });

  it('Contact Sharing Message', () => {
    const m = onlyMessage('Contact Sharing Message');
    expect(m.content).toEqual({
      type: 'contacts',
      contacts: [
        {
          name: 'Lucía Gómez',
          organization: 'Google',
          phones: [{ phone: '+1 (983) 555-2319', waId: '19835552319', type: 'MOBILE' }],
          emails: [],
        },
      ],
    });
  });

  it('Unsupported Message', () => {
    const m = onlyMessage('Unsupported Message');
    expect(m.wamid).toBe('wamid.HBgLMTQyMDU1NTA3NDkVAgASGBI5N0MwRjg0RTVBNUI1RDA2OTkA');
    expect(m.content).toEqual({
      type: 'unsupported',
      originalType: 'unsupported',
      reason: 'Message type unknown: Message type is currently not supported.',
    });
  });

  it('Button Message', () => {
    const m = onlyMessage('Button Message');
    expect(m.contextWamid).toBe('wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA');
    expect(m.content).toEqual({ type: 'button', text: 'Unsubscribe', payload: 'Unsubscribe' });
  });

  it('Interactive List Reply Message', () => {
    const m = onlyMessage('Interactive List Reply Message');
    expect(m.contextWamid).toBe('wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGMzEyNzhENTZDMzNGODlDRDgA');
    expect(m.content).toEqual({
      type: 'interactive',
      replyType: 'list_reply',
      id: 'priority_express',
      title: 'Priority Mail Express',
      description: 'Next Day to 2 Days',
    });
  });

  it('Interactive Button Reply Message', () => {
    const m = onlyMessage('Interactive Button Reply Message');
    expect(m.content).toEqual({ type: 'interactive', replyType: 'button_reply', id: 'cancel-button', title: 'Cancel' });
  });

  it('Order Message', () => {
    const m = onlyMessage('Order Message');
    expect(m.content).toEqual({
      type: 'order',
      catalogId: '194836987003835',
      text: undefined,
      items: [
        { productRetailerId: 'di9ozbzfi4', quantity: 2, itemPrice: 30, currency: 'USD' },
        { productRetailerId: 'nqryix03ez', quantity: 1, itemPrice: 25, currency: 'USD' },
      ],
    });
  });

  it('System Message (no contacts, so no profile name)', () => {
    const m = onlyMessage('System Message');
    expect(m.profileName).toBeUndefined();
    expect(m.customer).toEqual({ phone: '16505551234' });
    expect(m.content).toEqual({
      type: 'system',
      body: 'User Sheena Nelson changed from 16505551234 to 12195555358',
      systemType: 'user_changed_number',
      newWaId: '12195555358',
    });
  });

  it.each([
    ['Group Create Message', 'group_lifecycle_update'],
    ['Group Settings Update', 'group_settings_update'],
    ['Group Remove Participants', 'group_participants_update'],
  ] as const)('%s is acknowledged as ignored, its value kept for an operator', (name, field) => {
    expect(eventsOf(EXAMPLES[name])).toEqual([{ kind: 'ignored', field, wabaId: '102290129340398', value: expect.objectContaining({ groups: expect.any(Array) }) }]);
  });
});

describe('parseCloudWebhook: batches', () => {
  it('yields every message of 2 entries × 2 changes × 2 messages, in order, with each entry routing', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [0, 1].map((e) => ({
        id: `waba-${e}`,
        changes: [0, 1].map((c) => ({
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '1555', phone_number_id: `pn-${e}-${c}` },
            contacts: [
              { profile: { name: 'Ana' }, wa_id: '111' },
              { profile: { name: 'Budi' }, wa_id: '222' },
            ],
            messages: [0, 1].map((m) => ({
              from: m === 0 ? '111' : '222',
              id: `wamid.${e}${c}${m}`,
              timestamp: String(1750000000 + e * 100 + c * 10 + m),
              type: 'text',
              text: { body: `hello ${e}${c}${m}` },
            })),
          },
        })),
      })),
    };
    const events = eventsOf(body);
    expect(events).toHaveLength(8);
    const messages = events.map((event) => {
      if (event.kind !== 'message') throw new Error('expected only messages');
      return event.message;
    });
    expect(messages.map((m) => m.wamid)).toEqual([
      'wamid.000',
      'wamid.001',
      'wamid.010',
      'wamid.011',
      'wamid.100',
      'wamid.101',
      'wamid.110',
      'wamid.111',
    ]);
    expect(messages.map((m) => m.phoneNumberId)).toEqual(['pn-0-0', 'pn-0-0', 'pn-0-1', 'pn-0-1', 'pn-1-0', 'pn-1-0', 'pn-1-1', 'pn-1-1']);
    expect(messages.map((m) => m.wabaId)).toEqual(['waba-0', 'waba-0', 'waba-0', 'waba-0', 'waba-1', 'waba-1', 'waba-1', 'waba-1']);
    // Names are matched to each sender, not taken from the first contact.
    expect(messages.map((m) => m.profileName)).toEqual(['Ana', 'Budi', 'Ana', 'Budi', 'Ana', 'Budi', 'Ana', 'Budi']);
    expect(messages[7]?.timestamp).toEqual(new Date((1750000000 + 111) * 1000));
    expect(messages[7]?.content).toEqual({ type: 'text', body: 'hello 111' });
  });

  it('mixes message, status, template and ignored changes in delivery order', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba-1',
          changes: [
            { field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } },
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: 'pn' },
                statuses: [{ id: 'wamid.S', status: 'read', timestamp: '1750000000', recipient_id: '111' }],
              },
            },
            {
              field: 'message_template_status_update',
              value: {
                event: 'APPROVED',
                message_template_id: 42,
                message_template_name: 'hello',
                message_template_language: 'id',
                reason: 'NONE',
              },
            },
          ],
        },
      ],
    };
    expect(eventsOf(body).map((e) => e.kind)).toEqual(['ignored', 'status', 'template_status']);
  });

  it('accepts an empty entry list and a messages change with nothing in it', () => {
    expect(eventsOf({ object: 'whatsapp_business_account', entry: [] })).toEqual([]);
    expect(eventsOf(cloud({}))).toEqual([]);
  });
});

describe('parseCloudWebhook: message content', () => {
  it('turns an unknown message type into unsupported, keeping the type', () => {
    expect(contentOf(message({ type: 'hologram', hologram: { id: 'h1' } }))).toEqual({
      type: 'unsupported',
      originalType: 'hologram',
      reason: undefined,
    });
  });

  it('treats the "unknown" type and a prototype-named type as unsupported', () => {
    expect(contentOf(message({ type: 'unknown' }))).toMatchObject({ type: 'unsupported', originalType: 'unknown' });
    expect(contentOf(message({ type: 'constructor' }))).toMatchObject({
      type: 'unsupported',
      originalType: 'constructor',
    });
  });

  it('degrades a known type with a malformed inner object to unsupported, naming the problem', () => {
    const content = contentOf(message({ type: 'image', image: { caption: 'no id' } }));
    expect(content).toMatchObject({ type: 'unsupported', originalType: 'image' });
    expect(content.type === 'unsupported' && content.reason).toMatch(/^malformed image\.id: Required/);
    expect(contentOf(message({ type: 'text' }))).toMatchObject({ type: 'unsupported', originalType: 'text' });
    expect(contentOf(message({ type: 'location', location: { latitude: '1', longitude: 2 } }))).toMatchObject({
      type: 'unsupported',
      originalType: 'location',
    });
  });

  it('degrades an interactive reply of an unhandled kind (Flows nfm_reply)', () => {
    const content = contentOf(
      message({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { response_json: '{}' } } }),
    );
    expect(content).toMatchObject({ type: 'unsupported', originalType: 'interactive' });
  });

  it('marks a message without a type as unsupported with an empty original type', () => {
    expect(contentOf(message({}))).toEqual({ type: 'unsupported', originalType: '', reason: undefined });
  });

  it('keeps the other messages of a delivery when one is malformed inside', () => {
    const events = eventsOf(
      cloud({ messages: [message({ id: 'a', type: 'video', video: {} }), message({ id: 'b', type: 'text', text: { body: 'ok' } })] }),
    );
    expect(events.map((e) => (e.kind === 'message' ? [e.message.wamid, e.message.content.type] : e.kind))).toEqual([
      ['a', 'unsupported'],
      ['b', 'text'],
    ]);
  });

  it.each(['audio', 'video', 'document', 'sticker'] as const)('parses %s media', (type) => {
    const inner = { id: 'media-1', mime_type: 'application/octet-stream', sha256: 'abc', filename: 'f.bin', voice: true, animated: false };
    expect(contentOf(message({ type, [type]: inner }))).toEqual({
      type,
      mediaId: 'media-1',
      mimeType: 'application/octet-stream',
      sha256: 'abc',
      filename: 'f.bin',
      caption: undefined,
      voice: true,
      animated: false,
    });
  });

  it('treats an empty or absent reaction emoji as a removed reaction', () => {
    expect(contentOf(message({ type: 'reaction', reaction: { message_id: 'wamid.R', emoji: '' } }))).toEqual({
      type: 'reaction',
      reactedWamid: 'wamid.R',
      emoji: undefined,
    });
    expect(contentOf(message({ type: 'reaction', reaction: { message_id: 'wamid.R' } }))).toEqual({
      type: 'reaction',
      reactedWamid: 'wamid.R',
      emoji: undefined,
    });
  });

  it('simplifies shared contacts without a formatted name, with emails and wa_id-only phones', () => {
    expect(
      contentOf(
        message({
          type: 'contacts',
          contacts: [
            {
              name: { first_name: 'Siti', last_name: 'Rahma' },
              phones: [{ wa_id: '6281234' }, { type: 'HOME' }],
              emails: [{ email: 'siti@example.id', type: 'WORK' }, {}],
            },
          ],
        }),
      ),
    ).toEqual({
      type: 'contacts',
      contacts: [
        {
          name: 'Siti Rahma',
          organization: undefined,
          phones: [{ phone: '6281234', waId: '6281234', type: undefined }],
          emails: [{ email: 'siti@example.id', type: 'WORK' }],
        },
      ],
    });
  });

  it('keeps a non-empty order text and a button without payload', () => {
    expect(
      contentOf(message({ type: 'order', order: { catalog_id: 'c', text: 'asap', product_items: [] } })),
    ).toEqual({ type: 'order', catalogId: 'c', text: 'asap', items: [] });
    expect(contentOf(message({ type: 'button', button: { text: 'Yes' } }))).toEqual({
      type: 'button',
      text: 'Yes',
      payload: undefined,
    });
  });

  it('drops a malformed context instead of failing, and flags forwarded messages', () => {
    const [bad] = eventsOf(cloud({ messages: [message({ type: 'text', text: { body: 'x' }, context: 'nope' })] }));
    expect(bad?.kind === 'message' && bad.message.contextWamid).toBeUndefined();
    const [fwd] = eventsOf(
      cloud({ messages: [message({ type: 'text', text: { body: 'x' }, context: { forwarded: true } })] }),
    );
    expect(fwd?.kind === 'message' && fwd.message.forwarded).toBe(true);
  });

  it('leaves profileName unset when no contact matches among several', () => {
    const [event] = eventsOf(
      cloud({
        contacts: [
          { profile: { name: 'Ana' }, wa_id: '111' },
          { profile: { name: 'Budi' }, wa_id: '222' },
        ],
        messages: [message({ from: '333', type: 'text', text: { body: 'x' } })],
      }),
    );
    expect(event?.kind === 'message' && event.message.profileName).toBeUndefined();
  });
});

describe('parseCloudWebhook: statuses, template updates and errors', () => {
  function statusesOf(body: unknown): MessageStatus[] {
    return eventsOf(body).map((e) => {
      if (e.kind !== 'status') throw new Error(`expected status, got ${e.kind}`);
      return e.status;
    });
  }

  it('parses sent/delivered/read statuses with conversation and pricing', () => {
    const [status] = statusesOf(
      cloud({
        statuses: [
          {
            id: 'wamid.OUT',
            status: 'delivered',
            timestamp: '1750000100',
            recipient_id: '16505551234',
            conversation: { id: 'conv-1', expiration_timestamp: '1750086500', origin: { type: 'service' } },
            pricing: { billable: true, pricing_model: 'PMP', category: 'service' },
          },
        ],
      }),
    );
    expect(status).toEqual({
      wamid: 'wamid.OUT',
      status: 'delivered',
      timestamp: new Date(1750000100000),
      recipient: { phone: '16505551234' },
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: '419561257915477',
      errors: [],
      conversation: { id: 'conv-1', expiresAt: new Date(1750086500000), originType: 'service' },
      pricing: { billable: true, category: 'service', model: 'PMP' },
    });
  });

  it('parses a failed status with its errors', () => {
    const [status] = statusesOf(
      cloud({
        statuses: [
          {
            id: 'wamid.FAIL',
            status: 'failed',
            timestamp: '1750000200',
            recipient_id: '16505551234',
            errors: [
              {
                code: 131047,
                title: 'Re-engagement message',
                message: 'Re-engagement message',
                error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
                href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
              },
            ],
          },
        ],
      }),
    );
    expect(status?.status).toBe('failed');
    expect(status?.errors).toEqual([
      {
        code: 131047,
        title: 'Re-engagement message',
        message: 'Re-engagement message',
        details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
    ]);
  });

  it('passes through a status value it does not know', () => {
    const [status] = statusesOf(
      cloud({ statuses: [{ id: 'w', status: 'deleted', timestamp: '1', recipient_id: '1' }] }),
    );
    expect(status?.status).toBe('deleted');
    expect(status?.timestamp).toEqual(new Date(1000));
  });

  it('parses a template status update', () => {
    const body = cloud(
      {
        event: 'REJECTED',
        message_template_id: 594425479261596,
        message_template_name: 'order_ready',
        message_template_language: 'en_US',
        reason: 'INCORRECT_CATEGORY',
      },
      'message_template_status_update',
      'waba-77',
    );
    expect(eventsOf(body)).toEqual([
      {
        kind: 'template_status',
        update: {
          wabaId: 'waba-77',
          templateId: '594425479261596',
          templateName: 'order_ready',
          language: 'en_US',
          event: 'REJECTED',
          reason: 'INCORRECT_CATEGORY',
          otherInfo: undefined,
        },
      },
    ]);
  });

  it('drops the NONE/null reason of an approval and keeps other_info of a pause', () => {
    const approved = eventsOf(
      cloud(
        { event: 'APPROVED', message_template_id: '1', message_template_name: 'a', message_template_language: 'id', reason: null },
        'message_template_status_update',
      ),
    );
    expect(approved[0]?.kind === 'template_status' && approved[0].update.reason).toBeUndefined();
    const paused = eventsOf(
      cloud(
        {
          event: 'PAUSED',
          message_template_id: '2',
          message_template_name: 'b',
          message_template_language: 'id',
          reason: 'NONE',
          other_info: { title: 'FIRST_PAUSE', description: 'Paused for 3 hours due to low quality.' },
        },
        'message_template_status_update',
      ),
    );
    expect(paused[0]).toMatchObject({
      kind: 'template_status',
      update: { event: 'PAUSED', reason: undefined, otherInfo: { title: 'FIRST_PAUSE' } },
    });
  });

  it('rejects a template update without an id, naming the path', () => {
    const reason = reasonOf(
      parseCloudWebhook(
        cloud({ event: 'APPROVED', message_template_name: 'a', message_template_language: 'id' }, 'message_template_status_update'),
      ),
    );
    expect(reason).toContain('entry[0].changes[0].value.message_template_id');
  });

  it('turns top-level value errors into an error event', () => {
    expect(
      eventsOf(cloud({ errors: [{ code: 131000, title: 'Something went wrong', error_data: { details: 'x' } }] })),
    ).toEqual([
      {
        kind: 'error',
        errors: [{ code: 131000, title: 'Something went wrong', message: undefined, details: 'x' }],
        phoneNumberId: PHONE_NUMBER_ID,
        wabaId: '419561257915477',
      },
    ]);
  });
});

describe('parseCloudWebhook: malformed envelopes', () => {
  it.each<[string, unknown, RegExp]>([
    ['null', null, /^\(root\): Expected object, received null/],
    ['a string', 'hello', /Expected object/],
    ['wrong object', { object: 'page', entry: [] }, /^object: Invalid literal value/],
    ['entry not an array', { object: 'whatsapp_business_account', entry: {} }, /^entry: Expected array/],
    ['entry without id', { object: 'whatsapp_business_account', entry: [{ changes: [] }] }, /^entry\[0\]\.id: Required/],
    [
      'changes not an array',
      { object: 'whatsapp_business_account', entry: [{ id: '1', changes: 'x' }] },
      /^entry\[0\]\.changes: Expected array/,
    ],
    [
      'change without field',
      { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ value: {} }] }] },
      /^entry\[0\]\.changes\[0\]\.field: Required/,
    ],
  ])('rejects %s', (_name, body, reason) => {
    expect(reasonOf(parseCloudWebhook(body))).toMatch(reason);
  });

  it('rejects a messages change without metadata.phone_number_id (the account cannot be found)', () => {
    const { entry } = EXAMPLES['Text Message'];
    const { metadata: _dropped, ...value } = entry[0].changes[0].value;
    const body = { object: 'whatsapp_business_account', entry: [{ ...entry[0], changes: [{ field: 'messages', value }] }] };
    expect(reasonOf(parseCloudWebhook(body))).toBe('entry[0].changes[0].value.metadata: Required');
  });

  it.each([
    ['id', { id: undefined }, 'messages[1].id: Required'],
    ['from', { from: 16505551234 }, 'messages[1].from: Expected string, received number'],
    ['timestamp', { timestamp: 1750000000 }, 'messages[1].timestamp: Expected string, received number'],
    ['timestamp', { timestamp: 'yesterday' }, 'messages[1].timestamp: expected unix seconds'],
    ['id', { id: '' }, 'messages[1].id: String must not be empty'],
  ])('rejects the delivery when a message lacks a usable %s', (_field, override, reason) => {
    const body = cloud({
      messages: [message({ type: 'text', text: { body: 'fine' } }), message({ type: 'text', text: { body: 'x' }, ...override })],
    });
    expect(reasonOf(parseCloudWebhook(body))).toContain(`entry[0].changes[0].value.${reason}`);
  });

  it('rejects a status without recipient and an error without code', () => {
    expect(
      reasonOf(parseCloudWebhook(cloud({ statuses: [{ id: 'w', status: 'sent', timestamp: '1' }] }))),
    ).toContain('value.statuses[0].recipient_id: neither a phone number nor a business-scoped user ID (BSUID) identifies the customer');
    expect(reasonOf(parseCloudWebhook(cloud({ errors: [{ title: 'x' }] })))).toContain('value.errors[0].code: Required');
  });

  it('rejects messages that is not an array', () => {
    expect(reasonOf(parseCloudWebhook(cloud({ messages: { id: 'x' } })))).toContain('value.messages: Expected array');
  });
});

describe('business-scoped user IDs (BSUID) and usernames', () => {
  const BSUID = 'IN.1410018717833190';
  const messageOf = (value: Record<string, unknown>): InboundMessage => {
    const [event] = eventsOf(cloud(value));
    if (event?.kind !== 'message') throw new Error('expected a message event');
    return event.message;
  };
  const text = { type: 'text', text: { body: 'hi' } };
  const { from: _phone, ...noPhone } = message(text);

  it('takes a message with a number only, a number and a BSUID, or a BSUID only', () => {
    expect(messageOf({ messages: [message(text)] }).customer).toEqual({ phone: '16505551234' });
    expect(
      messageOf({
        contacts: [{ profile: { name: 'Sheena', username: '@sheena' }, wa_id: '16505551234', user_id: BSUID }],
        messages: [message({ ...text, from_user_id: BSUID })],
      }),
    ).toMatchObject({ customer: { phone: '16505551234', userId: BSUID, username: '@sheena' }, profileName: 'Sheena' });
    expect(
      messageOf({ contacts: [{ profile: { name: 'Sari' }, user_id: BSUID, username: 'sari' }], messages: [{ ...noPhone, from_user_id: BSUID }] }),
    ).toMatchObject({ customer: { userId: BSUID, username: 'sari' }, profileName: 'Sari' });
  });

  it('takes a parent BSUID beside the BSUID', () => {
    const m = messageOf({ messages: [{ ...noPhone, from_user_id: BSUID, from_parent_user_id: 'US.ENT.11815799212886844830' }] });
    expect(m.customer).toEqual({ userId: BSUID, parentUserId: 'US.ENT.11815799212886844830' });
  });

  it('refuses a message with neither identifier, or with one of the wrong format, naming the field', () => {
    expect(reasonOf(parseCloudWebhook(cloud({ messages: [noPhone] })))).toBe(
      'entry[0].changes[0].value.messages[0].from: neither a phone number nor a business-scoped user ID (BSUID) identifies the customer (from, from_user_id)',
    );
    expect(reasonOf(parseCloudWebhook(cloud({ messages: [message({ ...text, from: '+<!channel>' })] })))).toContain('messages[0].from: a wa_id is digits only');
    expect(reasonOf(parseCloudWebhook(cloud({ messages: [{ ...noPhone, from_user_id: 'IN.<@U123>' }] })))).toContain(
      'messages[0].from_user_id: a BSUID is a two-letter country code',
    );
  });

  it('takes a status whose recipient is a BSUID only, or both', () => {
    const statusOf = (ids: Record<string, string>) => {
      const [event] = eventsOf(cloud({ statuses: [{ id: 'wamid.S', status: 'read', timestamp: '1750000000', ...ids }] }));
      if (event?.kind !== 'status') throw new Error('expected a status');
      return event.status.recipient;
    };
    expect(statusOf({ recipient_user_id: BSUID })).toEqual({ userId: BSUID });
    expect(statusOf({ recipient_id: '16505551234', recipient_user_id: BSUID })).toEqual({ phone: '16505551234', userId: BSUID });
  });

  it('reads the system messages of a new number and of a new BSUID', () => {
    const system = (body: Record<string, unknown>) => contentOf(message({ type: 'system', system: body }));
    expect(system({ body: 'changed', wa_id: '16505559999', type: 'user_changed_number' })).toEqual({
      type: 'system',
      body: 'changed',
      systemType: 'user_changed_number',
      newWaId: '16505559999',
    });
    expect(system({ body: 'changed id', user_id: 'IN.999', type: 'user_changed_user_id' })).toMatchObject({ newUserId: 'IN.999', systemType: 'user_changed_user_id' });
  });

  it('parses a user_id_update, and refuses one without the BSUIDs', () => {
    const update = (items: unknown[]) => cloud({ user_id_update: items }, 'user_id_update');
    expect(eventsOf(update([{ wa_id: '16505551234', user_id: { previous: BSUID, current: 'IN.2' } }]))).toEqual([
      { kind: 'user_id_update', update: { previousUserId: BSUID, userId: 'IN.2', phone: '16505551234', phoneNumberId: PHONE_NUMBER_ID } },
    ]);
    expect(reasonOf(parseCloudWebhook(update([{ user_id: { previous: BSUID } }])))).toContain('user_id_update[0].user_id.current: Required');
  });
});
