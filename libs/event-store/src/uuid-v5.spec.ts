import { uuidV5 } from './uuid-v5';

describe('uuidV5', () => {
  it('gives the RFC 9562 example: "www.example.com" in the DNS namespace', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('gives ids the domain accepts, the same for the same name and different for another', () => {
    const ns = '6f1d3c52-9a7e-4b8e-8d0c-3e5b2f4a9c71';
    const a = uuidV5('ffb.kommando.myndighed.0101.v1\nm-1\nbestillingId', ns);
    // The shape the domain accepts: lower case, version 5, RFC variant.
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5('ffb.kommando.myndighed.0101.v1\nm-1\nbestillingId', ns)).toBe(a);
    expect(uuidV5('ffb.kommando.myndighed.0101.v1\nm-2\nbestillingId', ns)).not.toBe(a);
  });
});
