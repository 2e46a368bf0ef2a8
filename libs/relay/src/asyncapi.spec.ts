import { asyncApiDocument } from './asyncapi';
import { OUTBOUND_MESSAGES } from './integration-events/catalog';
import { topicNames } from './topics';

interface Doc {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: {
    messages: Record<string, { name: string; headers: { properties: Record<string, { description?: string }> } }>;
    schemas: Record<string, unknown>;
  };
}

const resolve = (doc: unknown, ref: string): unknown =>
  ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);

describe('the AsyncAPI document of the outbound messages', () => {
  const doc = asyncApiDocument({ topics: topicNames('test.'), commands: [] }) as unknown as Doc;
  const channelTypes = (channel: string) =>
    Object.keys(doc.channels[channel]?.messages ?? {})
      .map((name) => doc.components.messages[name]?.name)
      .sort();

  it("lists each message on the channel of every party that receives it, and on no other party's", () => {
    const to = (party: string) =>
      OUTBOUND_MESSAGES.filter((m) => (m.recipients as readonly string[]).includes(party))
        .map((m) => m.type)
        .sort();
    expect(channelTypes('tilUdfoerer')).toEqual(to('udfoerer'));
    expect(channelTypes('tilMyndighed')).toEqual(to('myndighed'));
    // The tilbagemeldingspligt messages and the erasure notice are the ones both parties' topics carry.
    const both = channelTypes('tilUdfoerer').filter((type) => channelTypes('tilMyndighed').includes(type));
    expect(both).toEqual([
      'dk.ffb.borger.slettet.v1',
      'dk.ffb.paamindelse.afsluttet.v1',
      'dk.ffb.paamindelse.sendt.v1',
      'dk.ffb.tilbagemeldingspligt.bortfaldet.v1',
      'dk.ffb.tilbagemeldingspligt.kraevet.v1',
      'dk.ffb.tilbagemeldingspligt.opfyldt.v1',
    ]);
    expect(channelTypes('tilUdfoerer')).toContain('dk.ffb.bestilling.afgivet.v1');
    expect(channelTypes('tilMyndighed')).not.toContain('dk.ffb.bestilling.afgivet.v1');
  });

  it('sends from each outbound channel exactly the messages it lists, and every reference resolves', () => {
    for (const channel of ['tilUdfoerer', 'tilMyndighed']) {
      const operation = Object.values(doc.operations).find((o) => o.channel.$ref === `#/channels/${channel}`);
      expect(operation?.action).toBe('send');
      expect((operation?.messages ?? []).map((m) => m.$ref).sort()).toEqual(
        Object.keys(doc.channels[channel]?.messages ?? {})
          .map((name) => `#/channels/${channel}/messages/${name}`)
          .sort(),
      );
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.filter((ref) => resolve(doc, ref) === undefined)).toEqual([]);
    for (const name of [
      'RegelV1',
      'PaamindelseEmneV1',
      'TilbagemeldingKraevetV1',
      'TilbagemeldingskravBortfaldetV1',
      'PaamindelseSendtV1',
    ]) {
      expect([name, doc.components.schemas[name] !== undefined]).toEqual([name, true]);
    }
  });

  it('names the possible recipients of a message in its ce_ffbrecipient header', () => {
    const recipientOf = (schema: string) =>
      doc.components.messages[schema]?.headers.properties['ce_ffbrecipient']?.description;
    expect(recipientOf('TilbagemeldingKraevetV1')).toMatch(/udfoerer:<tilbudId> or myndighed:<kommunekode>$/);
    expect(recipientOf('TilbagemeldingskravBortfaldetV1')).toMatch(/udfoerer:<tilbudId> or myndighed:<kommunekode>$/);
    expect(recipientOf('BestillingKvitteretV1')).toMatch(/: myndighed:<kommunekode>$/);
  });
});
