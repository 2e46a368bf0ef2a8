import { decodeHeaders } from './kafkajs.inbound-source';

describe('decodeHeaders', () => {
  it('reads values as UTF-8 text, the first of repeated headers, and leaves out headers without a value', () => {
    expect(
      decodeHeaders({
        ce_id: Buffer.from('abc'),
        ce_type: 'dk.ffb.kommando.x.v1',
        tom: Buffer.alloc(0),
        dobbelt: [Buffer.from('første'), Buffer.from('anden')],
        // A header sent without a value (Kafka's null): absent, not the text "null" that made such ids collide.
        uden: null as unknown as Buffer,
      }),
    ).toEqual({ ce_id: 'abc', ce_type: 'dk.ffb.kommando.x.v1', tom: '', dobbelt: 'første' });
  });
});
