import { topicNames, topicSegment } from './topics';

describe('topic names', () => {
  const topics = topicNames();

  it('names per-recipient, per-sender and dead-letter topics', () => {
    expect(topics.outbound({ party: 'udfoerer', id: 'tilbud-4711' })).toBe('ffb.udfoerer.tilbud-4711.v1');
    expect(topics.outbound({ party: 'myndighed', id: '0101' })).toBe('ffb.myndighed.0101.v1');
    expect(topics.commands({ party: 'myndighed', id: '0101' })).toBe('ffb.kommando.myndighed.0101.v1');
    expect(topics.deadLetter({ party: 'udfoerer', id: 'tilbud_4711' })).toBe('ffb.dlq.udfoerer.tilbud_4711.v1');
    expect(topicNames('test.').outbound({ party: 'myndighed', id: '0101' })).toBe('test.ffb.myndighed.0101.v1');
  });

  it('refuses an id that could not name exactly one topic', () => {
    for (const id of ['', 'tilbud.4711', 'tilbud 4711', 'tilbud/4711', 'æble', '-tilbud', 'x'.repeat(65)]) {
      expect(() => topicSegment(id)).toThrow(RangeError);
    }
  });

  it('reads the sender back from a command topic and from nothing else', () => {
    const sender = { party: 'udfoerer', id: 'Bo-sted_1' } as const;
    expect(topics.parseCommandTopic(topics.commands(sender))).toEqual(sender);
    expect(topics.parseCommandTopic('ffb.kommando.myndighed.0101.v1')).toEqual({ party: 'myndighed', id: '0101' });
    for (const other of [
      topics.outbound(sender),
      topics.deadLetter(sender),
      'ffb.kommando.borger.0101.v1',
      'ffb.kommando.myndighed.0101.v2',
      'ffb.kommando.myndighed.101.v1',
      'ffb.kommando.myndighed.tilbud-1.v1',
      'ffb.kommando.udfoerer.a.b.v1',
      'test.ffb.kommando.myndighed.0101.v1',
    ]) {
      expect([other, topics.parseCommandTopic(other)]).toEqual([other, null]);
    }
    const test = topicNames('test.');
    expect(test.parseCommandTopic('test.ffb.kommando.myndighed.0101.v1')).toEqual({ party: 'myndighed', id: '0101' });
    expect(test.parseCommandTopic('testXffb.kommando.myndighed.0101.v1')).toBeNull();
  });

  it('refuses a malformed prefix', () => {
    expect(() => topicNames('test')).toThrow(RangeError);
    expect(() => topicNames('a..')).toThrow(RangeError);
  });
});
