import { addressLabel, conversationCustomer, customerHandle, customerKey, customerOfRun, isBsuid, isWaId, sendAddress } from '../../src/domain/customer';

describe('customer identifiers', () => {
  it('knows a wa_id from a BSUID and a parent BSUID', () => {
    expect(isWaId('6281234567890')).toBe(true);
    expect(isWaId('+6281234567890')).toBe(false);
    expect(isBsuid('US.13491208655302741918')).toBe(true);
    expect(isBsuid('US.ENT.11815799212886844830')).toBe(true);
    expect(isBsuid(`US.${'a'.repeat(129)}`)).toBe(false);
    expect(isBsuid('us.123')).toBe(false);
    expect(isBsuid('US.12<!channel>')).toBe(false);
  });

  it('queues by BSUID, sends to the number, and labels either', () => {
    expect(customerKey({ phone: '62811', userId: 'ID.1' })).toBe('ID.1');
    expect(customerKey({ phone: '62811' })).toBe('62811');
    expect(sendAddress({ phone: '62811', userId: 'ID.1' })).toBe('62811');
    expect(sendAddress({ userId: 'ID.1' })).toBe('ID.1');
    expect(addressLabel('62811')).toBe('+62811');
    expect(addressLabel('ID.1')).toBe('ID.1');
    expect(customerHandle({ userId: 'ID.1' })).toBe('ID.1');
    expect(customerHandle({ userId: 'ID.1', username: 'sari', phone: '62811' })).toBe('@sari · +62811');
  });

  it('reads a conversation stored before BSUIDs by its key', () => {
    expect(conversationCustomer({ waId: '62811' })).toEqual({ phone: '62811' });
    expect(conversationCustomer({ waId: 'ID.1', phone: '62822', username: '@s' })).toEqual({ phone: '62822', userId: 'ID.1', username: '@s' });
  });

  it('takes a new number or BSUID from Meta’s system messages, keeping the old one to find the conversation by', () => {
    const text = { type: 'text' };
    expect(
      customerOfRun([
        { customer: { phone: '62811', userId: 'ID.1' }, content: text },
        { customer: { phone: '62811', userId: 'ID.1' }, content: { type: 'system', newWaId: '62899' } },
      ]),
    ).toEqual({ customer: { phone: '62899', userId: 'ID.1' }, formerly: ['62811'] });
    expect(customerOfRun([{ customer: { userId: 'ID.1' }, content: { type: 'system', newUserId: 'ID.2' } }])).toEqual({
      customer: { userId: 'ID.2' },
      formerly: ['ID.1'],
    });
  });
});
