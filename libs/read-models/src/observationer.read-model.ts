import { ffbKatalog, type Kode } from '@hub/domain';
import type { ReadDb } from './read-db';
import { foldBatch } from './hub-events';
import { daekkedeUndertemaer, type IndsatsDoc } from './indsats-doc';
import type { ReadModel, Tables } from './read-model';
import { bool, insertNew, upsertRows, type Row, createKontekstTable } from './rows';

type T = 'kontekst' | 'observation' | 'tag';

export interface ObservationDoc {
  readonly type: 'vum' | 'delmaal';
  readonly tekst: string;
  readonly refleksion: string | null;
  readonly score: number | null;
  readonly undertemaer: readonly Kode[];
  readonly paavirkerIndsatsen: boolean;
}

/**
 * Observationer: every delmålsobservation and VUM-observation with its undertema tags (a delmålsobservation is tagged
 * with its indsatsmål's undertema and related undertemaer), searchable by kategori, overtema, undertema, period,
 * borger and tilbud — what Cura lacks (reference.md §7 I-1). Each tag records whether an active indsatsmål covered it
 * when the observation was made: "andre relevante indsatsområder" (§4.5, Q-A10).
 */
export const observationer: ReadModel<T> = {
  name: 'observationer',
  version: 3,
  tables: ['kontekst', 'observation', 'tag'],
  async createTables({ db }: ReadDb, t: Tables<T>) {
    await createKontekstTable(db, t.kontekst);
    await db.schema
      .createTable(t.observation)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('bestilling_id', 'text', (c) => c.notNull())
      .addColumn('delmaal_id', 'text')
      .addColumn('kommunekode', 'text', (c) => c.notNull())
      .addColumn('tilbud_id', 'text', (c) => c.notNull())
      .addColumn('borger_id', 'text', (c) => c.notNull())
      .addColumn('observeret', 'text', (c) => c.notNull())
      .addColumn('position', 'bigint', (c) => c.notNull())
      .addColumn('uden_for_maal', 'integer', (c) => c.notNull())
      .addColumn('doc', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable(t.tag)
      .addColumn('observation_id', 'text', (c) => c.notNull())
      .addColumn('undertema', 'text', (c) => c.notNull())
      .addColumn('overtema', 'text', (c) => c.notNull())
      .addColumn('kategori', 'text', (c) => c.notNull())
      .addColumn('daekket', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('kommunekode', 'text', (c) => c.notNull())
      .addColumn('tilbud_id', 'text', (c) => c.notNull())
      .addColumn('observeret', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${t.tag}_pk`, ['observation_id', 'undertema'])
      .execute();
  },
  async createIndexes({ db }: ReadDb, t: Tables<T>) {
    await db.schema
      .createIndex(`${t.observation}_kommune`)
      .on(t.observation)
      .columns(['kommunekode', 'observeret'])
      .execute();
    await db.schema
      .createIndex(`${t.observation}_tilbud`)
      .on(t.observation)
      .columns(['tilbud_id', 'observeret'])
      .execute();
    await db.schema
      .createIndex(`${t.observation}_borger`)
      .on(t.observation)
      .columns(['borger_id', 'observeret'])
      .execute();
    await db.schema
      .createIndex(`${t.tag}_undertema`)
      .on(t.tag)
      .columns(['undertema', 'kommunekode', 'observeret'])
      .execute();
    await db.schema
      .createIndex(`${t.tag}_kategori`)
      .on(t.tag)
      .columns(['kategori', 'kommunekode', 'observeret'])
      .execute();
    await db.schema
      .createIndex(`${t.tag}_tilbud`)
      .on(t.tag)
      .columns(['tilbud_id', 'undertema', 'observeret'])
      .execute();
    await db.schema
      .createIndex(`${t.tag}_overtema`)
      .on(t.tag)
      .columns(['overtema', 'kommunekode', 'observeret'])
      .execute();
  },
  async applyBatch(tx, kind, t, recorded) {
    const observationRows: Row[] = [];
    const tagRows: Row[] = [];
    const add = (
      doc: IndsatsDoc,
      id: string,
      delmaalId: string | null,
      observeret: string,
      position: number,
      obs: ObservationDoc,
    ) => {
      const daekkede = daekkedeUndertemaer(doc);
      const tags = obs.undertemaer.flatMap((k) => {
        const u = ffbKatalog.undertema(k.code);
        return u ? [{ u, daekket: daekkede.has(k.code) }] : [];
      });
      observationRows.push({
        id,
        type: obs.type,
        bestilling_id: doc.bestillingId,
        delmaal_id: delmaalId,
        kommunekode: doc.kommunekode,
        tilbud_id: doc.tilbudId,
        borger_id: doc.borgerId,
        observeret,
        position,
        uden_for_maal: bool(tags.some((tag) => !tag.daekket)),
        doc: JSON.stringify(obs),
      });
      for (const { u, daekket } of tags) {
        tagRows.push({
          observation_id: id,
          undertema: u.code,
          overtema: u.overtema.code,
          kategori: u.kategori,
          daekket: bool(daekket),
          type: obs.type,
          kommunekode: doc.kommunekode,
          tilbud_id: doc.tilbudId,
          observeret,
        });
      }
    };
    const changed = await foldBatch(tx, t.kontekst, recorded, ({ event, position }, before) => {
      if (before && event.type === 'VumObservationRegistreret') {
        const d = event.data;
        add(before, d.observationId, null, d.observeret, position, {
          type: 'vum',
          tekst: d.tekst,
          refleksion: null,
          score: null,
          undertemaer: d.undertemaer,
          paavirkerIndsatsen: d.paavirkerIndsatsen,
        });
      }
      if (before && event.type === 'DelmaalsobservationRegistreret') {
        const d = event.data;
        const maalId = before.delmaal.find((x) => x.delmaalId === d.delmaalId)?.indsatsmaalId;
        const maal = before.indsatsmaal.find((m) => m.indsatsmaalId === maalId);
        const undertemaer = maal ? [maal.undertema, ...maal.relateredeUndertemaer] : [];
        add(before, d.observationId, d.delmaalId, d.observeret, position, {
          type: 'delmaal',
          tekst: d.observation,
          refleksion: d.refleksion,
          score: d.score,
          undertemaer,
          paavirkerIndsatsen: false,
        });
      }
    });
    await upsertRows(
      tx,
      kind,
      t.kontekst,
      'id',
      changed.map((d) => ({ id: d.bestillingId, doc: JSON.stringify(d) })),
    );
    await insertNew(tx, kind, t.observation, 'id', observationRows);
    await insertNew(tx, kind, t.tag, ['observation_id', 'undertema'], tagRows);
  },
};
