import {
  bestilling,
  delmaal,
  DomainError,
  ffbKatalog,
  STANDARD_REGLER,
  toBestillingStreamId,
  toDelmaalStreamId,
  aktiveIndsatsmaal,
  type BestillingCommand,
  type BestillingOpslag,
  type DecisionContext,
  type DelmaalCommand,
  bestillingFolding,
  delmaalFolding,
  pligt,
  pligtFolding,
  toPligtStreamId,
  KRAV_NIVEAUER,
  KRAV_TRIGGERE,
  MODTAGERE,
  ALVORSGRADER,
  PAAMINDELSE_ARTER,
  erAabent,
  type Bortfaldsaarsag,
  type PligtCommand,
} from '@hub/domain';
import { handleCommand, readState, type EventStore } from '@hub/event-store';
import { afgivBestilling, FFB, indsatsmaalInput, kode } from '@hub/domain/testing/fixtures';

/** One step of a generated history: an operation and two numbers that pick its target and options. */
export type Op = readonly [op: number, a: number, b: number];
/** Ops 0..OPS-1 are the parties' own commands; fixed histories written as `i % OPS` use only these. */
export const OPS = 100;

/**
 * Operation weights (per 100): mostly the daily documentation of running indsatser, as in a real log; bestillinger are
 * moved to acceptance by one operation so that histories reach delmål, observations and opfølgninger.
 */
const WEIGHTS: readonly [kind: number, weight: number][] = [
  [0, 9], // afgiv
  [2, 14], // kvitter and accept (or afvis)
  [3, 9], // opret delmål
  [4, 22], // delmålsobservation
  [6, 10], // VUM-observation
  [7, 7], // evaluer delmål
  [8, 5], // status
  [9, 5], // tilbagemelding
  [10, 4], // kvitter tilbagemelding
  [11, 6], // opfølgning
  [12, 5], // ændring
  [13, 2], // annuller or afslut
  [14, 2], // afslut delmål
  // From op OPS on: what the hub's tilbagemeldingspligt rules record (ALLE_OPS covers them).
  [15, 8], // krav en tilbagemelding
  [16, 8], // tilbagemelding that names an open krav (opfylderKravId)
  [17, 4], // the rules record a krav opfyldt (after such a tilbagemelding, or by another one)
  [18, 6], // send a påmindelse to either party
  [19, 4], // afslut a påmindelse
  [20, 4], // the myndighed kvitterer a tilbagemelding of a bestilling with krav
  [21, 5], // a krav lapses: its indsats or indsatsmål ended, or a recommendation's frist passed
];
const KIND = WEIGHTS.flatMap(([kind, weight]) => Array.from({ length: weight }, () => kind));
/** Every op, also the rules' (a property draws from 0..ALLE_OPS-1). */
export const ALLE_OPS = KIND.length;

const AD = ffbKatalog
  .undertemaer()
  .filter((u) => u.kategori === 'aktivitetOgDeltagelse')
  .map((u) => u.code);
const ALLE = ffbKatalog.undertemaer().map((u) => u.code);
const NIVEAUER = [FFB.niveau1, FFB.niveau2, FFB.niveauIkkeVurderet, kode('b508ff66'), kode('cae545f5')];
const MAALTYPER = [FFB.udvikle, FFB.fastholde, kode('e47c22bd')];
const STATUS = [FFB.fortsaettelse, kode('d7d03656'), kode('b4c01aa8')];
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;

/** Deterministic UUIDs from a counter, so a failing history replays the same. */
const uuid = (n: number) => {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
};

export interface HistoryResult {
  readonly appended: number;
  readonly refused: number;
}

/**
 * Turns ops into commands against the current state and runs them through the real write path; commands the domain
 * refuses are skipped, so the stored history is always valid. `afterEach` lets a test observe the store mid-history.
 */
export async function driveHistory(
  store: EventStore,
  ops: readonly Op[],
  afterEach?: (step: number) => Promise<void>,
  options: { readonly idOffset?: number } = {},
): Promise<HistoryResult> {
  // Ids come from a counter; a second history in the same store starts its counter elsewhere.
  let next = 1 + (options.idOffset ?? 0);
  let day = 0;
  const bestillinger: string[] = [];
  const delmaalAf = new Map<string, string[]>();
  const maalAf = new Map<string, string[]>();
  const observationerAf = new Map<string, string[]>();
  /** Bestillinger with a tilbagemeldingspligt stream: the rules' later ops pick among these, so they meet something. */
  const medPligt: string[] = [];
  const accepterede: string[] = [];
  let appended = 0;
  let refused = 0;
  for (const [step, [op, a, b]] of ops.entries()) {
    day += 1 + (b % 3);
    const now = new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString();
    const ctx: DecisionContext = { now, katalog: ffbKatalog, regler: STANDARD_REGLER };
    const id = bestillinger.length > 0 ? pick(bestillinger, a) : undefined;
    const pid = medPligt.length > 0 ? pick(medPligt, a + b) : undefined;
    const context = {
      eventId: () => uuid(1_000_000 + next++),
      metadata: () => ({
        schemaVersion: 1,
        occurredAt: now,
        correlationId: uuid(next),
        causationId: uuid(next),
        actor: { party: 'test', subject: 'history' },
      }),
    };
    const onBestilling = async (command: BestillingCommand) => {
      const { state } = await readState(store, toBestillingStreamId(command.data.bestillingId), bestillingFolding);
      const refs = new Map<string, { bestillingId: string; observationer: readonly string[] }>();
      for (const ref of command.type === 'SendTilbagemelding' ? (command.data.observationer ?? []) : []) {
        if (ref.delmaalId)
          refs.set(ref.delmaalId, {
            bestillingId: command.data.bestillingId,
            observationer: observationerAf.get(ref.delmaalId) ?? [],
          });
      }
      // As the hub's command service: the krav with its trigger; a lapsed one is left out, a met one stays.
      const kravId = command.type === 'SendTilbagemelding' ? command.data.opfylderKravId : undefined;
      const krav = new Map<string, { bestillingId: string; trigger: string }>();
      if (typeof kravId === 'string') {
        const { state: p } = await readState(store, toPligtStreamId(command.data.bestillingId), pligtFolding);
        const k = p.krav[kravId];
        if (p.parter && k && !k.bortfaldet)
          krav.set(kravId, { bestillingId: p.parter.bestillingId, trigger: k.trigger });
      }
      const opslag: BestillingOpslag = { delmaal: refs, krav };
      return handleCommand(
        store,
        toBestillingStreamId(command.data.bestillingId),
        bestillingFolding,
        (s) => bestilling.decide(command, s, ctx, opslag),
        context,
      ).then(() => state);
    };
    const onDelmaal = async (command: DelmaalCommand, bestillingId: string) => {
      const { state: best } = await readState(store, toBestillingStreamId(bestillingId), bestillingFolding);
      await handleCommand(
        store,
        toDelmaalStreamId(command.data.delmaalId),
        delmaalFolding,
        (s) => delmaal.decide(command, s, ctx, best),
        context,
      );
    };
    const onPligt = (command: PligtCommand) =>
      handleCommand(
        store,
        toPligtStreamId(command.data.bestillingId),
        pligtFolding,
        (s) => pligt.decide(command, s, { now }),
        context,
      );
    /** The rules' provenance: a rule id and version, and a stored event that caused it. */
    const begrundet = (regel: string) => ({
      regel: { id: regel, version: 1 + (a % 2) },
      aarsager: [uuid(1_000_000 + Math.max(1, next - 1 - (b % 3)))],
    });
    try {
      const maal = id ? (maalAf.get(id) ?? []) : [];
      const dm = id ? (delmaalAf.get(id) ?? []) : [];
      switch (KIND[op % KIND.length]) {
        case 0: {
          const bid = uuid(next++);
          const antal = 1 + (b % 3);
          const indsatsmaal = Array.from({ length: antal }, (_, i) =>
            indsatsmaalInput({
              indsatsmaalId: uuid(next++),
              undertema: pick(AD, a + i * 7),
              relateredeUndertemaer: [],
              maaltype: pick(MAALTYPER, a + i),
              aktueltFunktionsevneniveau: pick(NIVEAUER, b + i),
              forventetFunktionsevneniveau: pick(NIVEAUER, a + b + i),
              opfoelgningsdato: new Date(Date.UTC(2026, 0, 1) + (day + 30 + (a % 200)) * 86_400_000)
                .toISOString()
                .slice(0, 10),
            }),
          );
          await onBestilling(
            afgivBestilling({
              bestillingId: bid,
              borgerId: uuid(500 + (a % 7)),
              kommunekode: pick(['0101', '0147'], a),
              tilbudId: pick(['tilbud-1', 'tilbud-2'], b),
              indsatsmaal,
              ydelser: [
                { ydelseLinjeId: uuid(next++), ydelse: kode(FFB.stoetteTilSocialeRelationer), startdato: '2026-01-01' },
              ],
            }),
          );
          bestillinger.push(bid);
          maalAf.set(
            bid,
            indsatsmaal.map((m) => m.indsatsmaalId),
          );
          break;
        }
        case 2: {
          if (!id) continue;
          const { state } = await readState(store, toBestillingStreamId(id), bestillingFolding);
          if (state.fase === 'ingen') continue;
          if (state.kvitteretVersion < state.version) {
            await onBestilling({ type: 'KvitterBestilling', data: { bestillingId: id, version: state.version } });
            appended++;
          }
          if (state.fase !== 'afgivet') continue;
          await onBestilling(
            b % 11 === 0
              ? { type: 'AfvisBestilling', data: { bestillingId: id, begrundelse: 'Ingen plads' } }
              : { type: 'AccepterBestilling', data: { bestillingId: id } },
          );
          if (b % 11 !== 0) accepterede.push(id);
          break;
        }
        case 3: {
          if (!id || maal.length === 0) continue;
          const delmaalId = uuid(next++);
          await onDelmaal(
            {
              type: 'OpretDelmaal',
              data: {
                delmaalId,
                bestillingId: id,
                indsatsmaalId: pick(maal, b),
                navn: `Delmål ${delmaalId.slice(-4)}`,
                delmaalsplan: {
                  formaal: 'f',
                  borgerensMotivation: 'm',
                  ressourcerOgUdfordringer: 'r',
                  borgerensIndsats: 'b',
                  medarbejdernesIndsatsOgMetode: 'x',
                },
                startdato: now.slice(0, 10),
                evalueringsdato: null,
                slutdato: '2028-12-31',
                ansvarlig: 'Team',
              },
            },
            id,
          );
          delmaalAf.set(id, [...dm, delmaalId]);
          break;
        }
        case 4: {
          if (!id || dm.length === 0) continue;
          const delmaalId = pick(dm, b);
          const observationId = uuid(next++);
          await onDelmaal(
            {
              type: 'RegistrerDelmaalsobservation',
              data: {
                delmaalId,
                observationId,
                observation: 'Observation',
                refleksion: b % 2 ? 'Refleksion' : null,
                score: b % 5 === 0 ? null : b % 5,
                observeret: now,
              },
            },
            id,
          );
          observationerAf.set(delmaalId, [...(observationerAf.get(delmaalId) ?? []), observationId]);
          break;
        }
        case 6:
          if (!id) continue;
          await onBestilling({
            type: 'RegistrerVumObservation',
            data: {
              bestillingId: id,
              observationId: uuid(next++),
              tekst: 'Afvigelse',
              undertemaer: [pick(ALLE, a), pick(ALLE, a + b + 1)].filter((x, i, l) => l.indexOf(x) === i),
              paavirkerIndsatsen: b % 2 === 0,
              observeret: now,
            },
          });
          break;
        case 7:
          if (!id || dm.length === 0) continue;
          await onDelmaal(
            {
              type: 'EvaluerDelmaal',
              data: {
                delmaalId: pick(dm, b),
                evalueringId: uuid(next++),
                dato: now.slice(0, 10),
                hvordanGaarDet: 'g',
                virkningForBorgeren: 'v',
                borgerensOplevelse: 'o',
                refleksionerOverMetoder: 'r',
                giverAnledningTilAendringer: false,
                udvikling: pick(['fremgang', 'uaendret', 'tilbagegang'] as const, b),
                konklusion: `Konklusion ${b}`,
              },
            },
            id,
          );
          break;
        case 8: {
          if (!id) continue;
          const { state } = await readState(store, toBestillingStreamId(id), bestillingFolding);
          if (state.fase === 'ingen') continue;
          await onBestilling({
            type: 'SendStatus',
            data: {
              bestillingId: id,
              statusId: uuid(next++),
              indsatsmaal: aktiveIndsatsmaal(state).map((m) => ({
                indsatsmaalId: m.indsatsmaalId,
                statustekst: 'Status',
              })),
            },
          });
          break;
        }
        case 9: {
          if (!id) continue;
          const refs = dm.flatMap((d) =>
            (observationerAf.get(d) ?? [])
              .slice(0, 1)
              .map((o) => ({ type: 'delmaal' as const, observationId: o, delmaalId: d })),
          );
          await onBestilling({
            type: 'SendTilbagemelding',
            data: {
              bestillingId: id,
              tilbagemeldingId: uuid(next++),
              trigger: pick(['T1', 'T2', 'T3', 'ANDET'] as const, b),
              tekst: 'Tilbagemelding',
              observationer: refs.slice(0, 2),
            },
          });
          break;
        }
        case 10: {
          if (!id) continue;
          const { state } = await readState(store, toBestillingStreamId(id), bestillingFolding);
          const aaben = state.fase === 'ingen' ? undefined : state.tilbagemeldinger.find((t) => !t.kvitteret);
          if (!aaben) continue;
          await onBestilling({
            type: 'KvitterTilbagemelding',
            data: { bestillingId: id, tilbagemeldingId: aaben.tilbagemeldingId },
          });
          break;
        }
        case 11: {
          if (!id) continue;
          const { state } = await readState(store, toBestillingStreamId(id), bestillingFolding);
          if (state.fase === 'ingen') continue;
          const funktionsevne = aktiveIndsatsmaal(state).map((m, i) => ({
            undertema: m.undertema.code,
            funktionsevneniveau: pick(NIVEAUER, b + i),
          }));
          await onBestilling({
            type: 'GennemfoerOpfoelgning',
            data: {
              bestillingId: id,
              opfoelgningId: uuid(next++),
              funktionsevne,
              borgerensVurdering: 'b',
              udfoerersVurdering: 'u',
              sagsbehandlersVurdering: 's',
              stoettebehov: pick([FFB.letStoettebehov, FFB.moderatStoettebehov], b),
              statusPaaIndsats: pick(STATUS, b),
            },
          });
          break;
        }
        case 12: {
          if (!id) continue;
          const nyt = uuid(next++);
          const command: BestillingCommand =
            b % 3 === 0 && maal.length > 1
              ? {
                  type: 'AendrBestilling',
                  data: { bestillingId: id, begrundelse: 'x', afslutIndsatsmaal: [pick(maal, a)] },
                }
              : {
                  type: 'AendrBestilling',
                  data: {
                    bestillingId: id,
                    begrundelse: 'x',
                    tilfoejIndsatsmaal: [
                      indsatsmaalInput({ indsatsmaalId: nyt, undertema: pick(AD, a + b), relateredeUndertemaer: [] }),
                    ],
                  },
                };
          await onBestilling(command);
          if (command.data.tilfoejIndsatsmaal) maalAf.set(id, [...maal, nyt]);
          break;
        }
        case 13:
          if (!id) continue;
          await onBestilling(
            b % 4 === 0
              ? { type: 'AnnullerBestilling', data: { bestillingId: id, begrundelse: 'x' } }
              : { type: 'AfslutIndsats', data: { bestillingId: id, slutdato: now.slice(0, 10), begrundelse: 'x' } },
          );
          break;
        case 14:
          if (!id || dm.length === 0) continue;
          await onDelmaal(
            {
              type: 'AfslutDelmaal',
              data: {
                delmaalId: pick(dm, b),
                maalopfyldelse: pick(['opnaaet', 'delvist_opnaaet', 'ikke_opnaaet'] as const, b),
                konklusion: 'Slut',
              },
            },
            id,
          );
          break;
        case 15: {
          const kid = accepterede.length > 0 ? pick(accepterede, a + b) : undefined;
          if (!kid) continue;
          const { state } = await readState(store, toBestillingStreamId(kid), bestillingFolding);
          // The rules require tilbagemeldinger of running indsatser.
          if (state.fase !== 'accepteret') continue;
          const maalId =
            b % 3 === 0 ? null : (aktiveIndsatsmaal(state)[b % state.indsatsmaal.length]?.indsatsmaalId ?? null);
          const kravId = uuid(next++);
          await onPligt({
            type: 'KraevTilbagemelding',
            data: {
              bestillingId: kid,
              kommunekode: state.kommunekode,
              tilbudId: state.tilbudId,
              kravId,
              borgerId: state.borgerId,
              trigger: pick(KRAV_TRIGGERE, a),
              niveau: pick(KRAV_NIVEAUER, b),
              indsatsmaalId: maalId,
              delmaalId: null,
              begrundelse: 'Ingen fremgang på indsatsmålet.',
              // Some frister lie before the krav's own time: every state of a krav is reachable.
              frist: new Date(Date.parse(now) + ((a % 30) - 5) * 86_400_000).toISOString().slice(0, 10),
              ...begrundet(`TP-${pick(KRAV_TRIGGERE, a)}`),
            },
          });
          if (!medPligt.includes(kid)) medPligt.push(kid);
          break;
        }
        case 16: {
          if (!pid) continue;
          const { state } = await readState(store, toBestillingStreamId(pid), bestillingFolding);
          if (state.fase === 'ingen') continue;
          const { state: p } = await readState(store, toPligtStreamId(pid), pligtFolding);
          const brugt = new Set(state.tilbagemeldinger.map((t) => t.opfylderKravId));
          // Not named yet and not lapsed; met by the rules through another tilbagemelding is still nameable.
          const aabne = Object.values(p.krav).filter((k) => !brugt.has(k.kravId) && !k.bortfaldet);
          if (aabne.length === 0) continue;
          const krav = pick(aabne, a);
          await onBestilling({
            type: 'SendTilbagemelding',
            data: {
              bestillingId: pid,
              tilbagemeldingId: uuid(next++),
              trigger: krav.trigger,
              tekst: 'Tilbagemelding på krav',
              indsatsmaalId: krav.indsatsmaalId,
              observationer: [],
              opfylderKravId: krav.kravId,
            },
          });
          break;
        }
        case 17: {
          if (!pid) continue;
          const { state } = await readState(store, toBestillingStreamId(pid), bestillingFolding);
          if (state.fase === 'ingen' || state.tilbagemeldinger.length === 0) continue;
          const { state: p } = await readState(store, toPligtStreamId(pid), pligtFolding);
          const krav = Object.values(p.krav);
          if (krav.length === 0) continue;
          const k = pick(krav, a);
          // Mostly the tilbagemelding that named the krav (the read model has it met already); else another one.
          const tilbagemelding =
            state.tilbagemeldinger.find((t) => t.opfylderKravId === k.kravId && b % 4 !== 0) ??
            pick(state.tilbagemeldinger, b);
          await onPligt({
            type: 'RegistrerKravOpfyldt',
            data: {
              bestillingId: pid,
              kravId: k.kravId,
              tilbagemeldingId: tilbagemelding.tilbagemeldingId,
              ...begrundet('TP-OPFYLDT'),
            },
          });
          break;
        }
        case 18: {
          if (!id) continue;
          const { state } = await readState(store, toBestillingStreamId(id), bestillingFolding);
          if (state.fase === 'ingen') continue;
          const { state: p } = await readState(store, toPligtStreamId(id), pligtFolding);
          const kravId = Object.keys(p.krav)[0];
          await onPligt({
            type: 'SendPaamindelse',
            data: {
              bestillingId: id,
              kommunekode: state.kommunekode,
              tilbudId: state.tilbudId,
              paamindelseId: uuid(next++),
              art: pick(PAAMINDELSE_ARTER, a),
              modtager: pick(MODTAGERE, b),
              alvor: pick(ALVORSGRADER, a + b),
              emne: b % 2 === 0 && kravId ? { kravId } : { version: state.version, dato: now.slice(0, 10) },
              tekst: 'Påmindelse',
              forfald: new Date(Date.parse(now) - (a % 10) * 86_400_000).toISOString(),
              ...begrundet('TP-PAAMINDELSE'),
            },
          });
          if (!medPligt.includes(id)) medPligt.push(id);
          break;
        }
        case 19: {
          if (!pid) continue;
          const { state: p } = await readState(store, toPligtStreamId(pid), pligtFolding);
          const aabne = Object.entries(p.paamindelser).filter(([, x]) => !x.afsluttet);
          if (aabne.length === 0) continue;
          await onPligt({
            type: 'AfslutPaamindelse',
            data: { bestillingId: pid, paamindelseId: pick(aabne, a)[0], ...begrundet('TP-AFSLUT') },
          });
          break;
        }
        case 20: {
          if (!pid) continue;
          const { state } = await readState(store, toBestillingStreamId(pid), bestillingFolding);
          if (state.fase === 'ingen') continue;
          const aaben = state.tilbagemeldinger.filter(
            (t) => !t.kvitteret && (t.opfylderKravId !== null || b % 2 === 0),
          );
          if (aaben.length === 0) continue;
          await onBestilling({
            type: 'KvitterTilbagemelding',
            data: { bestillingId: pid, tilbagemeldingId: pick(aaben, a).tilbagemeldingId },
          });
          break;
        }
        case 21: {
          if (!pid) continue;
          const { state } = await readState(store, toBestillingStreamId(pid), bestillingFolding);
          if (state.fase === 'ingen') continue;
          const { state: p } = await readState(store, toPligtStreamId(pid), pligtFolding);
          // Open in the pligt stream: that includes a krav a tilbagemelding named before the rules recorded it met,
          // so the read model meets "tilbagemelding first, then the lapse" (the first fact wins).
          const aktive = new Set(aktiveIndsatsmaal(state).map((m) => m.indsatsmaalId));
          const aarsagAf = (k: (typeof p.krav)[string]): Bortfaldsaarsag | null => {
            if (state.fase === 'afsluttet') return 'indsats_afsluttet';
            if (k.indsatsmaalId !== null && !aktive.has(k.indsatsmaalId)) return 'indsatsmaal_afsluttet';
            if (k.niveau === 'anbefalet' && k.frist < now.slice(0, 10)) return 'anbefaling_udloebet';
            return null;
          };
          const kandidater = Object.values(p.krav).filter((k) => erAabent(k) && aarsagAf(k) !== null);
          if (kandidater.length === 0) continue;
          const k = pick(kandidater, a);
          await onPligt({
            type: 'LadKravBortfalde',
            data: {
              bestillingId: pid,
              kravId: k.kravId,
              aarsag: aarsagAf(k) as Bortfaldsaarsag,
              ...begrundet('TP-BORTFALD'),
            },
          });
          break;
        }
        default:
          continue;
      }
      appended++;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      refused++;
    } finally {
      await afterEach?.(step);
    }
  }
  return { appended, refused };
}
