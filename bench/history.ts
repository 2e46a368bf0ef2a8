import { randomUUID } from 'node:crypto';
import { ffbKatalog, type BestillingEvent, type DelmaalEvent, type Kode } from '@hub/domain';
import type { EventMetadata, EventStore } from '@hub/event-store';

/**
 * The benchmarks' history of realistic indsatser (shared by the read-model and rules benchmarks): 99 events per
 * bestilling, written as the store receives them, without the deciders (fast enough for a 1,000,000-event log).
 */
const kode = (prefix: string): Kode =>
  ffbKatalog.kode(ffbKatalog.all().find((k) => k.code.startsWith(prefix))?.code as string);
export const K = {
  samspil: kode('3f9da5ac'),
  lavemad: kode('b947f321'),
  udvikle: kode('d41c8072'),
  niveau1: kode('8328ce4a'),
  niveau2: kode('5bdde847'),
  stoette: kode('401a397b'),
  fortsaet: kode('1e971d84'),
  hukommelse: kode('61452fe5'),
  mobilt: kode('d90f4da6'),
  ydelse: kode('05cd5e81'),
  autisme: kode('9b3fd322'),
};
export const id = (k: number, kind: number): string =>
  `00000000-0000-4${kind.toString(16).padStart(3, '0')}-8000-${k.toString(16).padStart(12, '0')}`;
type Append = { streamId: string; events: (BestillingEvent | DelmaalEvent)[] };

/**
 * One bestilling's year in about 100 events, in appends as the hub writes them: the bestilling and its answers, two
 * delmål, daily delmålsobservationer, VUM-observationer, evalueringer, status, a tilbagemelding and an opfølgning.
 */
function lifecycle(k: number): Append[] {
  const b = id(k, 1);
  const borger = id(k % 7919, 2);
  const kommunekode = ['0101', '0147', '0151', '0153'][k % 4] as string;
  const tilbudId = `tilbud-${k % 40}`;
  const maal = [id(k, 3), id(k, 4)];
  const dm = [id(k, 5), id(k, 6)];
  const t = (day: number) => new Date(Date.UTC(2025, 0, 1) + (k % 300) * 86_400_000 + day * 3_600_000).toISOString();
  const bestilling = (...events: BestillingEvent[]): Append => ({ streamId: `bestilling-${b}`, events });
  const delmaal = (i: number, ...events: DelmaalEvent[]): Append => ({ streamId: `delmaal-${dm[i]}`, events });
  const indsatsmaal = (i: number) => ({
    indsatsmaalId: maal[i] as string,
    nummer: i + 1,
    maalformulering: 'Jeg vil gerne kunne møde mine venner i byen igen.',
    maaltype: K.udvikle,
    undertema: i === 0 ? K.samspil : K.lavemad,
    aktueltFunktionsevneniveau: K.niveau2,
    forventetFunktionsevneniveau: K.niveau1,
    opfoelgningsdato: '2026-09-01',
    ansvarligForOpfoelgning: 'Social service',
    relateredeUndertemaer: [],
  });
  const out: Append[] = [
    bestilling(
      {
        type: 'BestillingAfgivet',
        data: {
          bestillingId: b,
          version: 1,
          borgerId: borger,
          kommunekode,
          tilbudId,
          tilbudstype: K.mobilt,
          lovgrundlag: ['SEL-85'],
          ydelser: [{ ydelseLinjeId: id(k, 7), ydelse: K.ydelse, startdato: '2025-01-01', slutdato: null }],
          primaerMaalgruppe: K.autisme,
          oevrigeMaalgrupper: [],
          stoettebehov: K.stoette,
          borgerensOensker: 'Jeg vil gerne undgå, at angsten styrer mit liv.',
          indsatsformaal: 'Borgeren indgår i fællesskaber.',
          indsatsmaal: [indsatsmaal(0), indsatsmaal(1)],
          afgivet: t(0),
          advarsler: [],
        },
      },
      { type: 'BestillingKvitteret', data: { bestillingId: b, version: 1, kvitteret: t(1) } },
      { type: 'BestillingAccepteret', data: { bestillingId: b, accepteret: t(2), forventetStartdato: null } },
    ),
  ];
  for (const i of [0, 1]) {
    out.push(
      delmaal(i, {
        type: 'DelmaalOprettet',
        data: {
          delmaalId: dm[i] as string,
          bestillingId: b,
          indsatsmaalId: maal[i] as string,
          borgerId: borger,
          kommunekode,
          tilbudId,
          navn: `Delmål ${i + 1}`,
          delmaalsplan: {
            formaal: 'f',
            borgerensMotivation: 'm',
            ressourcerOgUdfordringer: 'r',
            borgerensIndsats: 'b',
            medarbejdernesIndsatsOgMetode: 'x',
          },
          startdato: '2025-01-05',
          evalueringsdato: '2025-06-01',
          slutdato: '2026-12-31',
          ansvarlig: 'Team',
          oprettet: t(3),
        },
      }),
    );
  }
  for (let day = 0; day < 10; day++) {
    for (const i of [0, 1]) {
      out.push(
        delmaal(
          i,
          ...Array.from({ length: 4 }, (_, j): DelmaalEvent => ({
            type: 'DelmaalsobservationRegistreret',
            data: {
              delmaalId: dm[i] as string,
              bestillingId: b,
              observationId: id(k * 100 + day * 10 + j * 2 + i, 8),
              observation: 'Deltog i fællesspisning i 20 minutter.',
              refleksion: 'Virkede tryg.',
              score: 2,
              observeret: t(10 + day * 24 + j),
              registreret: t(10 + day * 24 + j),
            },
          })),
        ),
      );
    }
    if (day % 2 === 1)
      out.push(
        delmaal(day % 4 === 1 ? 0 : 1, {
          type: 'DelmaalEvalueret',
          data: {
            delmaalId: dm[day % 4 === 1 ? 0 : 1] as string,
            bestillingId: b,
            evalueringId: id(k * 10 + day, 9),
            dato: t(day * 24).slice(0, 10),
            hvordanGaarDet: 'g',
            virkningForBorgeren: 'v',
            borgerensOplevelse: 'o',
            refleksionerOverMetoder: 'r',
            giverAnledningTilAendringer: false,
            udvikling: 'fremgang',
            konklusion: 'På vej.',
            evalueret: t(day * 24),
          },
        }),
      );
    if (day % 2 === 0) {
      out.push(
        bestilling({
          type: 'VumObservationRegistreret',
          data: {
            bestillingId: b,
            observationId: id(k * 10 + day, 10),
            tekst: 'Afvigelse fra det normale.',
            undertemaer: [day % 4 === 0 ? K.hukommelse : K.samspil],
            paavirkerIndsatsen: false,
            observeret: t(day * 24 + 5),
            registreret: t(day * 24 + 5),
          },
        }),
      );
    }
  }
  out.push(
    bestilling(
      {
        type: 'StatusSendt',
        data: {
          bestillingId: b,
          statusId: id(k, 11),
          indsatsmaal: maal.map((m) => ({ indsatsmaalId: m, statustekst: 'Fremgang.' })),
          sendt: t(250),
        },
      },
      {
        type: 'TilbagemeldingSendt',
        data: {
          bestillingId: b,
          tilbagemeldingId: id(k, 12),
          trigger: 'T3',
          tekst: 'Ændret situation.',
          indsatsmaalId: null,
          observationer: [],
          opfylderKravId: null,
          sendt: t(251),
        },
      },
      {
        type: 'TilbagemeldingKvitteret',
        data: { bestillingId: b, tilbagemeldingId: id(k, 12), kvitteret: t(260), bemaerkning: null },
      },
      {
        type: 'OpfoelgningGennemfoert',
        data: {
          bestillingId: b,
          opfoelgningId: id(k, 13),
          gennemfoert: t(270),
          funktionsevne: [
            { undertema: K.samspil, funktionsevneniveau: K.niveau1 },
            { undertema: K.lavemad, funktionsevneniveau: K.niveau2 },
          ],
          borgerensVurdering: 'b',
          udfoerersVurdering: 'u',
          sagsbehandlersVurdering: 's',
          stoettebehov: K.stoette,
          statusPaaIndsats: K.fortsaet,
        },
      },
    ),
  );
  return out;
}

export const EVENTS_PER_BESTILLING = lifecycle(0).reduce((n, a) => n + a.events.length, 0);

/**
 * Writes `bestillinger` lifecycles (bestilling k has the ids `id(k, kind)`), interleaved 50 at a time as a day's work
 * would be.
 */
export async function writeHistory(store: EventStore, bestillinger: number): Promise<void> {
  const metadata: EventMetadata = {
    schemaVersion: 1,
    occurredAt: '2025-01-01T00:00:00.000Z',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { party: 'bench', subject: 'bench' },
    ffbVersion: '20240530',
  };
  let n = 0;
  for (let group = 0; group < bestillinger; group += 50) {
    const lifecycles = Array.from({ length: Math.min(50, bestillinger - group) }, (_, i) => lifecycle(group + i));
    for (let step = 0; lifecycles.some((l) => step < l.length); step++) {
      for (const l of lifecycles) {
        const append = l[step];
        if (!append) continue;
        await store.appendToStream(
          append.streamId,
          append.events.map((e) => ({ eventId: id(n++, 14), type: e.type, data: e.data, metadata })),
          { expectedRevision: 'any' },
        );
      }
    }
  }
}
