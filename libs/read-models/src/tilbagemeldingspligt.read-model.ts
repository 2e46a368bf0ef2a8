import {
  tilBestillingEvent,
  tilPligtEvent,
  type Bortfaldsaarsag,
  type KravNiveau,
  type KravTrigger,
  type PaamindelseSendt,
  type PligtEvent,
  type RegelReference,
  type TilbagemeldingKvitteret,
  type TilbagemeldingSendt,
} from '@hub/domain';
import type { RecordedEvent } from '@hub/event-store';
import type { ReadDb } from './read-db';
import type { AnyTransaction, ReadModel, Tables } from './read-model';
import { insertNew, loadDocs, upsertRows, type Row, createKontekstTable } from './rows';

type T = 'kontekst' | 'krav' | 'paamindelse';

/**
 * A tilbagemeldingskrav as the parties see it: what the hub required, by when, and when and how it was met, or when and
 * why it lapsed unmet. A krav is open, met or lapsed, never two of them: the first fact in the log wins.
 */
export interface KravDoc {
  readonly kravId: string;
  readonly bestillingId: string;
  readonly kommunekode: string;
  readonly tilbudId: string;
  readonly borgerId: string;
  readonly trigger: KravTrigger;
  readonly niveau: KravNiveau;
  readonly indsatsmaalId: string | null;
  readonly delmaalId: string | null;
  readonly begrundelse: string;
  readonly frist: string;
  readonly kraevet: string;
  readonly regel: RegelReference;
  readonly aarsager: readonly string[];
  /** When the tilbagemelding that met it was sent; null while open. */
  readonly opfyldt: string | null;
  readonly tilbagemeldingId: string | null;
  /** When the myndighed kvitterede that tilbagemelding. */
  readonly kvitteret: string | null;
  /** When the krav lapsed unmet (the indsats or indsatsmål ended, or a recommendation ran out); null otherwise. */
  readonly bortfaldet: string | null;
  readonly bortfaldsaarsag: Bortfaldsaarsag | null;
}

/** What the model keeps per bestilling: its krav, and its tilbagemeldinger (to link a krav to its kvittering). */
export interface PligtDoc {
  readonly bestillingId: string;
  readonly krav: Readonly<Record<string, KravDoc>>;
  readonly tilbagemeldinger: Readonly<
    Record<
      string,
      { readonly sendt: string; readonly opfylderKravId: string | null; readonly kvitteret: string | null }
    >
  >;
  /** Position of the last event folded in: a replayed event is a no-op. */
  readonly position: number;
}

export type PligtHubEvent = PligtEvent | TilbagemeldingSendt | TilbagemeldingKvitteret;

/** The events this model reads: the tilbagemeldingspligt stream, and from the bestilling stream its tilbagemeldinger. */
function toPligtEvents(recorded: readonly RecordedEvent[]): { event: PligtHubEvent; position: number }[] {
  return recorded.flatMap((r) => {
    if (r.streamId.startsWith('tilbagemeldingspligt-')) return [{ event: tilPligtEvent(r), position: r.position }];
    if (
      r.streamId.startsWith('bestilling-') &&
      (r.type === 'TilbagemeldingSendt' || r.type === 'TilbagemeldingKvitteret')
    )
      return [{ event: tilBestillingEvent(r) as PligtHubEvent, position: r.position }];
    return [];
  });
}

const medKrav = (doc: PligtDoc, krav: KravDoc): PligtDoc => ({ ...doc, krav: { ...doc.krav, [krav.kravId]: krav } });

/** Neither met nor lapsed. */
const aaben = (krav: KravDoc): boolean => krav.opfyldt === null && krav.bortfaldet === null;

/**
 * The krav met by a tilbagemelding, once: the first fact wins. A `TilbagemeldingSendt` that names the krav
 * (`opfylderKravId`) is the earliest fact; the rules' `TilbagemeldingskravOpfyldt` follows it (a no-op then) or
 * records a match the tilbagemelding did not name. The time is the tilbagemelding's, and a kvittering that came
 * before the rules' record is carried over. A krav that lapsed first stays lapsed: the bestilling decider refuses a
 * tilbagemelding that names a lapsed krav, and the rules record no opfyldelse of it.
 */
function opfyld(doc: PligtDoc, kravId: string, tilbagemeldingId: string, registreret: string): PligtDoc {
  const krav = doc.krav[kravId];
  if (!krav || !aaben(krav)) return doc;
  const tilbagemelding = doc.tilbagemeldinger[tilbagemeldingId];
  return medKrav(doc, {
    ...krav,
    opfyldt: tilbagemelding?.sendt ?? registreret,
    tilbagemeldingId,
    kvitteret: tilbagemelding?.kvitteret ?? null,
  });
}

/**
 * Pure and total, like a decider's evolve: the next document, or the same one when the event changes nothing in it
 * (a påmindelse, or an event folded already). `touched` collects the krav whose row changed.
 */
export function evolvePligt(
  doc: PligtDoc | null,
  event: PligtHubEvent,
  position: number,
  touched: Set<string> = new Set(),
): PligtDoc | null {
  // Reminders are rows of their own (there may be many per bestilling); the document does not keep them.
  if (event.type === 'PaamindelseSendt' || event.type === 'PaamindelseAfsluttet') return doc;
  const current: PligtDoc = doc ?? {
    bestillingId: event.data.bestillingId,
    krav: {},
    tilbagemeldinger: {},
    position: 0,
  };
  if (position <= current.position) return doc;
  const before = current.krav;
  let next: PligtDoc = { ...current, position };
  switch (event.type) {
    case 'TilbagemeldingKraevet': {
      const d = event.data;
      if (next.krav[d.kravId]) break;
      next = medKrav(next, {
        kravId: d.kravId,
        bestillingId: d.bestillingId,
        kommunekode: d.kommunekode,
        tilbudId: d.tilbudId,
        borgerId: d.borgerId,
        trigger: d.trigger,
        niveau: d.niveau,
        indsatsmaalId: d.indsatsmaalId,
        delmaalId: d.delmaalId,
        begrundelse: d.begrundelse,
        frist: d.frist,
        kraevet: d.kraevet,
        regel: { id: d.regel.id, version: d.regel.version },
        aarsager: [...d.aarsager],
        opfyldt: null,
        tilbagemeldingId: null,
        kvitteret: null,
        bortfaldet: null,
        bortfaldsaarsag: null,
      });
      // A tilbagemelding that named this krav before it was recorded here (the domain orders them the other way).
      const tidligere = Object.entries(next.tilbagemeldinger).find(([, t]) => t.opfylderKravId === d.kravId);
      if (tidligere) next = opfyld(next, d.kravId, tidligere[0], tidligere[1].sendt);
      break;
    }
    case 'TilbagemeldingskravOpfyldt':
      next = opfyld(next, event.data.kravId, event.data.tilbagemeldingId, event.data.opfyldt);
      break;
    case 'TilbagemeldingskravBortfaldet': {
      // The first fact wins here too: a krav a tilbagemelding met before the lapse was read stays met.
      const krav = next.krav[event.data.kravId];
      if (krav && aaben(krav))
        next = medKrav(next, { ...krav, bortfaldet: event.data.bortfaldet, bortfaldsaarsag: event.data.aarsag });
      break;
    }
    case 'TilbagemeldingSendt': {
      const d = event.data;
      const opfylderKravId = d.opfylderKravId ?? null;
      next = {
        ...next,
        tilbagemeldinger: {
          ...next.tilbagemeldinger,
          [d.tilbagemeldingId]: { sendt: d.sendt, opfylderKravId, kvitteret: null },
        },
      };
      if (opfylderKravId !== null) next = opfyld(next, opfylderKravId, d.tilbagemeldingId, d.sendt);
      break;
    }
    case 'TilbagemeldingKvitteret': {
      const d = event.data;
      const tilbagemelding = next.tilbagemeldinger[d.tilbagemeldingId];
      if (tilbagemelding && tilbagemelding.kvitteret === null)
        next = {
          ...next,
          tilbagemeldinger: {
            ...next.tilbagemeldinger,
            [d.tilbagemeldingId]: { ...tilbagemelding, kvitteret: d.kvitteret },
          },
        };
      for (const krav of Object.values(next.krav))
        if (krav.tilbagemeldingId === d.tilbagemeldingId && krav.kvitteret === null)
          next = medKrav(next, { ...krav, kvitteret: d.kvitteret });
      break;
    }
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
  for (const [kravId, krav] of Object.entries(next.krav)) if (before[kravId] !== krav) touched.add(kravId);
  return next;
}

const kravRow = (k: KravDoc): Row => ({
  id: k.kravId,
  bestilling_id: k.bestillingId,
  kommunekode: k.kommunekode,
  tilbud_id: k.tilbudId,
  borger_id: k.borgerId,
  trigger: k.trigger,
  niveau: k.niveau,
  regel_id: k.regel.id,
  regel_version: k.regel.version,
  kraevet: k.kraevet,
  frist: k.frist,
  opfyldt: k.opfyldt,
  tilbagemelding_id: k.tilbagemeldingId,
  kvitteret: k.kvitteret,
  bortfaldet: k.bortfaldet,
  doc: JSON.stringify(k),
});

const paamindelseRow = ({ data: d }: PaamindelseSendt): Row => ({
  id: d.paamindelseId,
  bestilling_id: d.bestillingId,
  kommunekode: d.kommunekode,
  tilbud_id: d.tilbudId,
  modtager: d.modtager,
  art: d.art,
  alvor: d.alvor,
  sendt: d.sendt,
  forfald: d.forfald,
  afsluttet: null,
  doc: JSON.stringify({ emne: d.emne, tekst: d.tekst, regel: d.regel, aarsager: d.aarsager }),
});

/**
 * Tilbagemeldingspligt: the krav the hub's rules recorded (reference.md §4.1), each marked opfyldt when a tilbagemelding
 * met it and kvitteret when the myndighed acknowledged that tilbagemelding, or bortfaldet (with why) when it lapsed
 * unmet; and the påmindelser, overdue notices and
 * escalations sent to either party (§4.2), open until afsluttet. Serves both parties' worklists and compliance (Q-A11).
 */
export const tilbagemeldingspligt: ReadModel<T> = {
  name: 'tilbagemeldingspligt',
  // 2: krav lapse (TilbagemeldingskravBortfaldet): a bortfaldet column and two doc fields; a running hub rebuilds.
  version: 2,
  tables: ['kontekst', 'krav', 'paamindelse'],
  async createTables({ db }: ReadDb, t: Tables<T>) {
    await createKontekstTable(db, t.kontekst);
    let krav = db.schema.createTable(t.krav).addColumn('id', 'text', (c) => c.primaryKey());
    for (const c of [
      'bestilling_id',
      'kommunekode',
      'tilbud_id',
      'borger_id',
      'trigger',
      'niveau',
      'regel_id',
      'kraevet',
      'frist',
      'doc',
    ])
      krav = krav.addColumn(c, 'text', (col) => col.notNull());
    await krav
      .addColumn('regel_version', 'integer', (c) => c.notNull())
      .addColumn('opfyldt', 'text')
      .addColumn('tilbagemelding_id', 'text')
      .addColumn('kvitteret', 'text')
      .addColumn('bortfaldet', 'text')
      .execute();
    let paamindelse = db.schema.createTable(t.paamindelse).addColumn('id', 'text', (c) => c.primaryKey());
    for (const c of [
      'bestilling_id',
      'kommunekode',
      'tilbud_id',
      'modtager',
      'art',
      'alvor',
      'sendt',
      'forfald',
      'doc',
    ])
      paamindelse = paamindelse.addColumn(c, 'text', (col) => col.notNull());
    await paamindelse.addColumn('afsluttet', 'text').execute();
  },
  async createIndexes({ db }: ReadDb, t: Tables<T>) {
    await db.schema.createIndex(`${t.krav}_kommune`).on(t.krav).columns(['kommunekode', 'kraevet']).execute();
    await db.schema.createIndex(`${t.krav}_tilbud`).on(t.krav).columns(['tilbud_id', 'kraevet']).execute();
    await db.schema.createIndex(`${t.krav}_bestilling`).on(t.krav).column('bestilling_id').execute();
    await db.schema
      .createIndex(`${t.paamindelse}_kommune`)
      .on(t.paamindelse)
      .columns(['kommunekode', 'modtager', 'afsluttet'])
      .execute();
    await db.schema
      .createIndex(`${t.paamindelse}_tilbud`)
      .on(t.paamindelse)
      .columns(['tilbud_id', 'modtager', 'afsluttet'])
      .execute();
  },
  async applyBatch(tx: AnyTransaction, kind, t, recorded) {
    const events = toPligtEvents(recorded);
    if (events.length === 0) return;
    const docs = await loadDocs<PligtDoc>(
      tx,
      t.kontekst,
      events.filter((e) => !e.event.type.startsWith('Paamindelse')).map((e) => e.event.data.bestillingId),
    );
    const changed = new Set<string>();
    const touched = new Set<string>();
    const sendt: Row[] = [];
    const afsluttet: { id: string; afsluttet: string }[] = [];
    for (const { event, position } of events) {
      if (event.type === 'PaamindelseSendt') sendt.push(paamindelseRow(event));
      else if (event.type === 'PaamindelseAfsluttet')
        afsluttet.push({ id: event.data.paamindelseId, afsluttet: event.data.afsluttet });
      else {
        const id = event.data.bestillingId;
        const before = docs.get(id) ?? null;
        const next = evolvePligt(before, event, position, touched);
        if (next && next !== before) {
          docs.set(id, next);
          changed.add(id);
        }
      }
    }
    await upsertRows(
      tx,
      kind,
      t.kontekst,
      'id',
      [...changed].map((id) => ({ id, doc: JSON.stringify(docs.get(id)) })),
    );
    const krav = [...docs.values()].flatMap((d) => Object.values(d.krav).filter((k) => touched.has(k.kravId)));
    await upsertRows(tx, kind, t.krav, 'id', krav.map(kravRow));
    // Every PaamindelseAfsluttet follows the PaamindelseSendt it closes in the log: insert first, then close.
    await insertNew(tx, kind, t.paamindelse, 'id', sendt);
    for (const a of afsluttet)
      await tx
        .updateTable(t.paamindelse)
        .set({ afsluttet: a.afsluttet })
        .where('id', '=', a.id)
        .where('afsluttet', 'is', null)
        .execute();
  },
};
