import type { ReadDb } from './read-db';
import { foldBatch } from './hub-events';
import { naesteOpfoelgningsdato, type IndsatsDoc } from './indsats-doc';
import type { ReadModel, Tables } from './read-model';
import { replaceRows, upsertRows, type Row } from './rows';

type T = 'indsats' | 'tilbagemelding';

/** What the udfører is to do next with a bestilling, if anything. */
export function afventer(doc: IndsatsDoc): 'kvittering' | 'accept' | null {
  if (doc.fase !== 'afgivet' && doc.fase !== 'accepteret') return null;
  if (doc.kvitteretVersion < doc.version) return 'kvittering';
  return doc.fase === 'afgivet' ? 'accept' : null;
}

/**
 * Sagsoversigt: one row per bestilling with the whole indsats as a document (indsatsmål with their delmål, latest
 * evaluering and status, opfølgninger), indexed by party, fase and next opfølgningsdato; and the tilbagemelding inbox.
 * Serves the sagsbehandler's and the tilbud's views.
 */
export const sagsoversigt: ReadModel<T> = {
  name: 'sagsoversigt',
  version: 1,
  tables: ['indsats', 'tilbagemelding'],
  async createTables({ db }: ReadDb, t: Tables<T>) {
    await db.schema
      .createTable(t.indsats)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kommunekode', 'text', (c) => c.notNull())
      .addColumn('tilbud_id', 'text', (c) => c.notNull())
      .addColumn('borger_id', 'text', (c) => c.notNull())
      .addColumn('fase', 'text', (c) => c.notNull())
      .addColumn('afventer', 'text')
      .addColumn('naeste_opfoelgningsdato', 'text')
      .addColumn('afgivet', 'text', (c) => c.notNull())
      .addColumn('doc', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable(t.tilbagemelding)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bestilling_id', 'text', (c) => c.notNull())
      .addColumn('kommunekode', 'text', (c) => c.notNull())
      .addColumn('tilbud_id', 'text', (c) => c.notNull())
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('sendt', 'text', (c) => c.notNull())
      .addColumn('kvitteret', 'text')
      .addColumn('doc', 'text', (c) => c.notNull())
      .execute();
  },
  async createIndexes({ db }: ReadDb, t: Tables<T>) {
    await db.schema.createIndex(`${t.indsats}_kommune`).on(t.indsats).columns(['kommunekode', 'fase']).execute();
    await db.schema.createIndex(`${t.indsats}_tilbud`).on(t.indsats).columns(['tilbud_id', 'fase']).execute();
    await db.schema
      .createIndex(`${t.tilbagemelding}_bestilling`)
      .on(t.tilbagemelding)
      .column('bestilling_id')
      .execute();
    await db.schema
      .createIndex(`${t.tilbagemelding}_kommune`)
      .on(t.tilbagemelding)
      .columns(['kommunekode', 'kvitteret'])
      .execute();
  },
  async applyBatch(tx, kind, t, recorded) {
    const changed = await foldBatch(tx, t.indsats, recorded);
    await upsertRows(
      tx,
      kind,
      t.indsats,
      'id',
      changed.map((d): Row => ({
        id: d.bestillingId,
        kommunekode: d.kommunekode,
        tilbud_id: d.tilbudId,
        borger_id: d.borgerId,
        fase: d.fase,
        afventer: afventer(d),
        naeste_opfoelgningsdato: d.fase === 'accepteret' || d.fase === 'afgivet' ? naesteOpfoelgningsdato(d) : null,
        afgivet: d.afgivet,
        doc: JSON.stringify(d),
      })),
    );
    await replaceRows(
      tx,
      kind,
      t.tilbagemelding,
      'bestilling_id',
      changed.filter((d) => d.tilbagemeldinger.length > 0).map((d) => d.bestillingId),
      changed.flatMap((d) =>
        d.tilbagemeldinger.map((tb): Row => ({
          id: tb.tilbagemeldingId,
          bestilling_id: d.bestillingId,
          kommunekode: d.kommunekode,
          tilbud_id: d.tilbudId,
          trigger: tb.trigger,
          sendt: tb.sendt,
          kvitteret: tb.kvitteret,
          doc: JSON.stringify(tb),
        })),
      ),
    );
  },
};
