import { createHmac } from 'node:crypto';
import { ffbKatalog } from '@hub/domain';
import type { ReadDb } from './read-db';
import { foldBatch } from './hub-events';
import type { IndsatsDoc, IndsatsmaalDoc } from './indsats-doc';
import type { ReadModel, Tables } from './read-model';
import { bool, replaceRows, upsertRows, type Row, createKontekstTable } from './rows';

type T = 'kontekst' | 'indsatsmaal' | 'tilbagemelding';

/**
 * Q-A3 (reference.md §6.5, [INFERENCE] mapping): how the latest followed-up level compares with what the måltype
 * expects. Lower level = better funktionsevne.
 */
export type Maalopfyldelse =
  | 'naaet_forventet'
  | 'forbedret_ikke_til_forventet'
  | 'uaendret'
  | 'forvaerret'
  | 'fastholdt'
  | 'tab_inden_for_forventet'
  | 'tab_ud_over_forventet'
  | 'ikke_fulgt_op';

export function maalopfyldelse(
  maaltype: string | undefined,
  aktuelt: number | null,
  forventet: number | null,
  senest: number | null,
): Maalopfyldelse {
  if (senest === null || aktuelt === null) return 'ikke_fulgt_op';
  if (maaltype === 'udvikle') {
    if (forventet !== null && senest <= forventet) return 'naaet_forventet';
    return senest < aktuelt ? 'forbedret_ikke_til_forventet' : senest === aktuelt ? 'uaendret' : 'forvaerret';
  }
  if (maaltype === 'fastholde') return senest <= aktuelt ? 'fastholdt' : 'forvaerret';
  return forventet === null || senest <= forventet ? 'tab_inden_for_forventet' : 'tab_ud_over_forventet';
}

const niveau = (code: string): number | null => ffbKatalog.funktionsevneniveau(code) ?? null;
const stoette = (code: string): number | null => ffbKatalog.stoettebehov(code) ?? null;

function indsatsmaalRow(doc: IndsatsDoc, m: IndsatsmaalDoc, pseudonym: string): Row {
  const opfoelgninger = doc.opfoelgninger.map((o) => ({
    dato: o.gennemfoert.slice(0, 10),
    niveau: niveau(o.funktionsevne.find((f) => f.undertema.code === m.undertema.code)?.funktionsevneniveau.code ?? ''),
    stoettebehov: stoette(o.stoettebehov.code),
    statusPaaIndsats: ffbKatalog.statusPaaIndsats(o.statusPaaIndsats.code) ?? null,
  }));
  const fulgtOp = opfoelgninger.filter((o) => o.niveau !== null);
  const senest = fulgtOp[fulgtOp.length - 1]?.niveau ?? null;
  const aktuelt = niveau(m.aktueltFunktionsevneniveau.code);
  const forventet = niveau(m.forventetFunktionsevneniveau.code);
  const maaltype = ffbKatalog.maaltype(m.maaltype.code);
  const delmaal = doc.delmaal.filter((d) => d.indsatsmaalId === m.indsatsmaalId);
  const undertema = ffbKatalog.undertema(m.undertema.code);
  return {
    id: m.indsatsmaalId,
    bestilling_id: doc.bestillingId,
    kommunekode: doc.kommunekode,
    tilbud_id: doc.tilbudId,
    pseudonym,
    tilbudstype: doc.tilbudstype.display,
    primaer_maalgruppe: doc.primaerMaalgruppe.display,
    maaltype: maaltype ?? null,
    undertema: m.undertema.display,
    overtema: undertema?.overtema.display ?? null,
    aktuelt,
    forventet,
    seneste_niveau: senest,
    stoettebehov_start: stoette(doc.stoettebehovVedStart.code),
    stoettebehov_seneste: stoette(doc.stoettebehov.code),
    antal_opfoelgninger: doc.opfoelgninger.length,
    seneste_status: opfoelgninger[opfoelgninger.length - 1]?.statusPaaIndsats ?? null,
    maalopfyldelse: maalopfyldelse(maaltype, aktuelt, forventet, senest),
    antal_delmaal: delmaal.length,
    antal_delmaalsobservationer: delmaal.reduce((n, d) => n + d.antalObservationer, 0),
    status_foer_opfoelgningsdato:
      m.senesteStatus === null ? null : bool(m.senesteStatus.sendt.slice(0, 10) <= m.opfoelgningsdato),
    aktiv: bool(m.aktiv),
    fase: doc.fase,
    afgivet: doc.afgivet.slice(0, 10),
    accepteret: doc.accepteret?.slice(0, 10) ?? null,
    afsluttet: doc.afsluttet?.slice(0, 10) ?? null,
    doc: JSON.stringify({
      maalgrupper: [doc.primaerMaalgruppe.display, ...doc.oevrigeMaalgrupper.map((g) => g.display)],
      ydelser: doc.ydelser.map((y) => ({ ydelse: y.ydelse.display, startdato: y.startdato, slutdato: y.slutdato })),
      opfoelgninger,
    }),
  };
}

/**
 * Analyse: a pseudonymised outcome data set, one row per indsatsmål (no borgerId, no text: a keyed pseudonym per
 * borger), and one row per tilbagemelding. The pseudonym key comes from configuration, so the same borger gets the same
 * pseudonym across rebuilds and nobody without the key can link it back.
 */
export function analyse(options: { pseudonymKey: Buffer }): ReadModel<T> {
  const pseudonym = (borgerId: string) =>
    createHmac('sha256', options.pseudonymKey).update(borgerId).digest('hex').slice(0, 24);
  return {
    name: 'analyse',
    version: 1,
    tables: ['kontekst', 'indsatsmaal', 'tilbagemelding'],
    async createTables({ db }: ReadDb, t: Tables<T>) {
      await createKontekstTable(db, t.kontekst);
      let table = db.schema.createTable(t.indsatsmaal).addColumn('id', 'text', (c) => c.primaryKey());
      for (const c of [
        'bestilling_id',
        'kommunekode',
        'tilbud_id',
        'pseudonym',
        'tilbudstype',
        'primaer_maalgruppe',
        'undertema',
        'fase',
        'afgivet',
        'maalopfyldelse',
        'doc',
      ]) {
        table = table.addColumn(c, 'text', (col) => col.notNull());
      }
      for (const c of ['maaltype', 'overtema', 'seneste_status', 'accepteret', 'afsluttet'])
        table = table.addColumn(c, 'text');
      for (const c of [
        'aktuelt',
        'forventet',
        'seneste_niveau',
        'stoettebehov_start',
        'stoettebehov_seneste',
        'status_foer_opfoelgningsdato',
      ])
        table = table.addColumn(c, 'integer');
      for (const c of ['antal_opfoelgninger', 'antal_delmaal', 'antal_delmaalsobservationer', 'aktiv'])
        table = table.addColumn(c, 'integer', (col) => col.notNull());
      await table.execute();
      let tb = db.schema.createTable(t.tilbagemelding).addColumn('id', 'text', (c) => c.primaryKey());
      for (const c of ['bestilling_id', 'kommunekode', 'tilbud_id', 'trigger', 'sendt'])
        tb = tb.addColumn(c, 'text', (col) => col.notNull());
      tb = tb.addColumn('maaltype', 'text').addColumn('kvitteret', 'text').addColumn('timer_til_kvittering', 'real');
      await tb.execute();
    },
    async createIndexes({ db }: ReadDb, t: Tables<T>) {
      await db.schema
        .createIndex(`${t.indsatsmaal}_kommune`)
        .on(t.indsatsmaal)
        .columns(['kommunekode', 'undertema'])
        .execute();
      await db.schema.createIndex(`${t.indsatsmaal}_bestilling`).on(t.indsatsmaal).column('bestilling_id').execute();
      await db.schema
        .createIndex(`${t.tilbagemelding}_bestilling`)
        .on(t.tilbagemelding)
        .column('bestilling_id')
        .execute();
    },
    async applyBatch(tx, kind, t, recorded) {
      const changed = await foldBatch(tx, t.kontekst, recorded);
      await upsertRows(
        tx,
        kind,
        t.kontekst,
        'id',
        changed.map((d) => ({ id: d.bestillingId, doc: JSON.stringify(d) })),
      );
      const ids = changed.map((d) => d.bestillingId);
      await replaceRows(
        tx,
        kind,
        t.indsatsmaal,
        'bestilling_id',
        ids,
        changed.flatMap((d) => d.indsatsmaal.map((m) => indsatsmaalRow(d, m, pseudonym(d.borgerId)))),
      );
      await replaceRows(
        tx,
        kind,
        t.tilbagemelding,
        'bestilling_id',
        ids,
        changed.flatMap((d) =>
          d.tilbagemeldinger.map((tbm): Row => {
            const maal = d.indsatsmaal.find((m) => m.indsatsmaalId === tbm.indsatsmaalId);
            return {
              id: tbm.tilbagemeldingId,
              bestilling_id: d.bestillingId,
              kommunekode: d.kommunekode,
              tilbud_id: d.tilbudId,
              trigger: tbm.trigger,
              sendt: tbm.sendt,
              maaltype: maal ? (ffbKatalog.maaltype(maal.maaltype.code) ?? null) : null,
              kvitteret: tbm.kvitteret,
              timer_til_kvittering:
                tbm.kvitteret === null ? null : (Date.parse(tbm.kvitteret) - Date.parse(tbm.sendt)) / 3_600_000,
            };
          }),
        ),
      );
    },
  };
}
