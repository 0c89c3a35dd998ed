import { dataVersionOf, makeEvent, parseEvent } from './events';

describe('event envelope', () => {
  it('round-trips through JSON', () => {
    const event = makeEvent({
      id: 'SUPPORT-1:3',
      source: 'tickets',
      type: 'ticket.status_changed',
      subject: 'SUPPORT-1',
      data: { from: 'OUVERT', to: 'ATTRIBUÉ' },
      time: new Date('2026-11-28T10:00:00Z'),
    });
    expect(parseEvent(Buffer.from(JSON.stringify(event)))).toEqual(event);
    expect(event).toMatchObject({ specversion: '1.0', time: '2026-11-28T10:00:00.000Z' });
  });

  it('carries the version of its data when the producer gives one (absent: 1)', () => {
    const event = makeEvent({
      id: 'x',
      source: 's',
      type: 'ticket.created',
      subject: 'SUPPORT-1',
      data: {},
      dataversion: 2,
    });
    expect(parseEvent(JSON.stringify(event))).toMatchObject({ dataversion: 2 });
    expect(dataVersionOf(event)).toBe(2);
    expect(dataVersionOf(makeEvent({ id: 'x', source: 's', type: 'user.erased', subject: 'u', data: {} }))).toBe(1);
  });

  it('refuses an envelope with missing or malformed fields', () => {
    expect(() => parseEvent(JSON.stringify({ specversion: '1.0', id: '', type: 'Bad Type' }))).toThrow(/id|type/);
    expect(() => parseEvent('not json')).toThrow();
  });
});
