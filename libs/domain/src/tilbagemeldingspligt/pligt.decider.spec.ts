import { DomainError } from '../shared/errors';
import { decide, evolve, initialState, type PligtState } from './pligt.decider';
import type { KraevTilbagemelding, PligtCommand, PligtEvent, SendPaamindelse } from './pligt.events';

const NOW = '2026-05-01T08:00:00.000Z';
const parter = {
  bestillingId: '0a0a0a0a-0000-4000-8000-000000000001',
  kommunekode: '0101',
  tilbudId: 'tilbud-4711',
};
const begrundet = { regel: { id: 'T2-UDVIKLE', version: 1 }, aarsager: ['0a0a0a0a-0000-4000-8000-0000000000e1'] };
const kravId = '0a0a0a0a-0000-4000-8000-00000000000a';

const kraev = (over: Partial<KraevTilbagemelding['data']> = {}): KraevTilbagemelding => ({
  type: 'KraevTilbagemelding',
  data: {
    ...parter,
    ...begrundet,
    kravId,
    borgerId: '0a0a0a0a-0000-4000-8000-0000000000b0',
    trigger: 'T2',
    niveau: 'paakraevet',
    indsatsmaalId: '0a0a0a0a-0000-4000-8000-0000000000c1',
    delmaalId: null,
    begrundelse: '2 evalueringer i træk uden fremgang',
    frist: '2026-05-15',
    ...over,
  },
});
const paamindelse = (id: string): SendPaamindelse => ({
  type: 'SendPaamindelse',
  data: {
    ...parter,
    ...begrundet,
    paamindelseId: id,
    art: 'delmaal_udokumenteret',
    modtager: 'udfoerer',
    alvor: 'paamindelse',
    emne: { delmaalId: '0a0a0a0a-0000-4000-8000-0000000000d1' },
    tekst: 'Delmålet er ikke dokumenteret i 14 dage.',
    forfald: '2026-05-01T00:00:00.000Z',
  },
});

/** Given events, when a command: the events it decides (and the state after them). */
function run(given: readonly PligtEvent[], command: PligtCommand): PligtEvent[] {
  const state = given.reduce<PligtState>(evolve, initialState());
  return decide(command, state, { now: NOW });
}

describe('tilbagemeldingspligt decider', () => {
  it('records a krav with the rule, its version and its causes', () => {
    const [event] = run([], kraev());
    expect(event).toEqual({ type: 'TilbagemeldingKraevet', data: { ...kraev().data, kraevet: NOW } });
  });

  it('records nothing for a krav id it knows, nor a second open krav of the same trigger on the same indsatsmål', () => {
    const given = run([], kraev());
    expect(run(given, kraev())).toEqual([]);
    expect(run(given, kraev({ kravId: '0a0a0a0a-0000-4000-8000-00000000000b' }))).toEqual([]);
    // Another indsatsmål is another duty.
    expect(run(given, kraev({ kravId: '0a0a0a0a-0000-4000-8000-00000000000b', indsatsmaalId: null }))).toHaveLength(1);
  });

  it('marks a krav met once; a met krav lets the same trigger be required again', () => {
    const given = run([], kraev());
    const opfyldt: PligtCommand = {
      type: 'RegistrerKravOpfyldt',
      data: {
        bestillingId: parter.bestillingId,
        ...begrundet,
        kravId,
        tilbagemeldingId: '0a0a0a0a-0000-4000-8000-0000000000f1',
      },
    };
    const met = run(given, opfyldt);
    expect(met).toEqual([
      {
        type: 'TilbagemeldingskravOpfyldt',
        data: {
          ...parter,
          ...begrundet,
          kravId,
          tilbagemeldingId: '0a0a0a0a-0000-4000-8000-0000000000f1',
          opfyldt: NOW,
        },
      },
    ]);
    expect(run([...given, ...met], opfyldt)).toEqual([]);
    expect(run([...given, ...met], kraev({ kravId: '0a0a0a0a-0000-4000-8000-00000000000b' }))).toHaveLength(1);
  });

  it('refuses to meet a krav it does not know', () => {
    expect(() =>
      run([], {
        type: 'RegistrerKravOpfyldt',
        data: { bestillingId: parter.bestillingId, ...begrundet, kravId, tilbagemeldingId: kravId },
      }),
    ).toThrow(expect.objectContaining({ code: 'TILBAGEMELDINGSKRAV.FINDES_IKKE' }));
  });

  it('sends a reminder once and closes it once', () => {
    const id = '0a0a0a0a-0000-4000-8000-0000000000aa';
    const sent = run([], paamindelse(id));
    expect(sent).toHaveLength(1);
    expect(run(sent, paamindelse(id))).toEqual([]);
    const afslut: PligtCommand = {
      type: 'AfslutPaamindelse',
      data: { bestillingId: parter.bestillingId, ...begrundet, paamindelseId: id },
    };
    const closed = run(sent, afslut);
    expect(closed).toEqual([
      {
        type: 'PaamindelseAfsluttet',
        data: { ...parter, ...begrundet, paamindelseId: id, modtager: 'udfoerer', afsluttet: NOW },
      },
    ]);
    expect(run([...sent, ...closed], afslut)).toEqual([]);
  });

  it('names every invalid field of a command the rules got wrong', () => {
    try {
      run([], kraev({ trigger: 'T9' as never, frist: '15-05-2026', aarsager: [] }));
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).violations.map((v) => v.field)).toEqual(['aarsager', 'trigger', 'frist']);
    }
  });

  it("refuses a command with other parties than the stream's", () => {
    const given = run([], kraev());
    const anden = paamindelse('0a0a0a0a-0000-4000-8000-0000000000ab');
    expect(() => run(given, { ...anden, data: { ...anden.data, tilbudId: 'tilbud-1' } })).toThrow(DomainError);
  });

  it('lets an open krav lapse once; a lapsed krav is neither met later nor blocks a new one', () => {
    const given = run([], kraev());
    const bortfald: PligtCommand = {
      type: 'LadKravBortfalde',
      data: { bestillingId: parter.bestillingId, ...begrundet, kravId, aarsag: 'indsatsmaal_afsluttet' },
    };
    const lapsed = run(given, bortfald);
    expect(lapsed).toEqual([
      {
        type: 'TilbagemeldingskravBortfaldet',
        data: { ...parter, ...begrundet, kravId, aarsag: 'indsatsmaal_afsluttet', bortfaldet: NOW },
      },
    ]);
    const after = [...given, ...lapsed];
    expect(run(after, bortfald)).toEqual([]);
    expect(
      run(after, {
        type: 'RegistrerKravOpfyldt',
        data: { bestillingId: parter.bestillingId, ...begrundet, kravId, tilbagemeldingId: kravId },
      }),
    ).toEqual([]);
    expect(run(after, kraev({ kravId: '0a0a0a0a-0000-4000-8000-00000000000b' }))).toHaveLength(1);
  });
});
