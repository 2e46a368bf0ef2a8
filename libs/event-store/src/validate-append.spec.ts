import { randomUUID } from 'node:crypto';
import type { EventToAppend } from './event-store.port';
import { isValidStreamId, validateAppend } from './validate-append';

const event = (data: unknown = { n: 1 }): EventToAppend => ({
  eventId: randomUUID(),
  type: 'ProeveRegistreret',
  data,
  metadata: {
    schemaVersion: 1,
    occurredAt: '2026-11-22T10:00:00.000Z',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { party: 'myndighed', subject: 'test' },
  },
});

describe('validateAppend', () => {
  it.each([`bestilling-${randomUUID()}`, 'delmaal-1', 'shopping_cart-a.b:c-d', 'x1-Y'])(
    'accepts the stream id %s',
    (id) => {
      expect(isValidStreamId(id)).toBe(true);
    },
  );

  it.each([
    '',
    'bestilling',
    '-bestilling-1',
    'bestilling-',
    'bestilling--1',
    'Bestilling-1',
    '1bestilling-1',
    'opfølgning-1',
    'bestilling-1 ',
    'bestilling-æ',
    `bestilling-${'x'.repeat(200)}`,
  ])('refuses the stream id %j', (id) => {
    expect(isValidStreamId(id)).toBe(false);
    expect(() => validateAppend(id, [event()], 'any')).toThrow(
      expect.objectContaining({ code: 'EVENT_STORE.INVALID_APPEND' }),
    );
  });

  it('serialises data and metadata once, dropping undefined properties', () => {
    const appended = event({ tekst: 'æøå', valgfri: undefined, liste: [1, null] });

    const [validated] = validateAppend('proeve-1', [appended], 0);

    expect(validated?.dataJson).toBe('{"tekst":"æøå","liste":[1,null]}');
    expect(validated?.metadataJson).toBe(JSON.stringify(appended.metadata));
  });

  it.each([
    ['a Date', { when: new Date(0) }, /data\.when is a Date/],
    ['a Map', { codes: new Map() }, /data\.codes is a Map/],
    ['Infinity', { n: Infinity }, /data\.n is Infinity/],
    ['a function', { f: () => 1 }, /data\.f is a function/],
    ['undefined in an array', { list: [1, undefined] }, /data\.list\[1\] is undefined/],
    ['a symbol', Symbol('x'), /data is a symbol/],
  ])('names the path of %s in the data', (_, data, message) => {
    expect(() => validateAppend('proeve-1', [event(data)], 'any')).toThrow(message);
  });

  it('accepts shared, non-cyclic references', () => {
    const shared = { code: 'a' };
    expect(() => validateAppend('proeve-1', [event({ first: shared, second: shared })], 'any')).not.toThrow();
  });

  it('refuses metadata that is not a plain object', () => {
    const appended = { ...event(), metadata: null } as unknown as EventToAppend;
    expect(() => validateAppend('proeve-1', [appended], 'any')).toThrow(/metadata must be a plain object/);
  });
});
