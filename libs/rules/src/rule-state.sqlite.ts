import Database from 'better-sqlite3';
import type { PligtCommand } from '@hub/domain';
import { regelId } from './regel';
import type { RegelDoc } from './regel-tilstand';
import {
  afslutSendt,
  overhaledeFrister,
  RuleStateCheckpointMovedError,
  type BatchCheckpoint,
  type Beslutning,
  type FristRow,
  type FristStatus,
  type RuleStateCheckpoint,
  type RuleStateStatus,
  type RuleStateStore,
  type UdbakkeRow,
} from './rule-state';

/**
 * The rules worker's durable state in one SQLite file (`rules.sqlite`): the rule state documents, the deadlines, the
 * outbox of commands not yet carried out, and the checkpoint. A batch of the log changes all four in one transaction,
 * so after a crash the worker resumes exactly where the last committed batch left it: no event is evaluated twice,
 * no decided command is lost (it waits in the outbox, and carrying it out again is a no-op by its derived ids).
 *
 * better-sqlite3 is synchronous: the port's promises resolve at once, and each call is its own transaction.
 */
export class SqliteRuleState implements RuleStateStore {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(file: string) {
    this.db = new Database(file, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    // FULL: a fired deadline is recorded durably before its command runs, so it cannot fire again after a power loss.
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS regel_doc (bestilling_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS frist (
        id TEXT PRIMARY KEY,
        regel_id TEXT NOT NULL,
        regel_version INTEGER NOT NULL,
        subjekt TEXT NOT NULL,
        forfald TEXT NOT NULL,
        bestilling_id TEXT NOT NULL,
        kommando TEXT NOT NULL,
        status TEXT NOT NULL,
        aarsag TEXT NOT NULL,
        sat_position INTEGER NOT NULL,
        udloest TEXT
      );
      CREATE INDEX IF NOT EXISTS frist_due ON frist (status, forfald);
      CREATE INDEX IF NOT EXISTS frist_subjekt ON frist (regel_id, subjekt, status);
      CREATE TABLE IF NOT EXISTS udbakke (seq INTEGER PRIMARY KEY AUTOINCREMENT, kommando TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS afvist (
        seq INTEGER PRIMARY KEY, kommando TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, afvist TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS affyring (regel_id TEXT PRIMARY KEY, antal INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS checkpoint (name TEXT PRIMARY KEY, position INTEGER NOT NULL, event_id TEXT);
    `);
    const db = this.db;
    this.stmt = {
      doc: db.prepare<[string], string>('SELECT doc FROM regel_doc WHERE bestilling_id = ?').pluck(),
      putDoc: db.prepare<[string, string]>(
        'INSERT INTO regel_doc (bestilling_id, doc) VALUES (?, ?) ON CONFLICT (bestilling_id) DO UPDATE SET doc = excluded.doc',
      ),
      // Ids come from the rule, the subject and the causing event: a deadline decided again is the same one.
      putFrist: db.prepare(
        `INSERT INTO frist (id, regel_id, regel_version, subjekt, forfald, bestilling_id, kommando, status, aarsag, sat_position)
         VALUES (@id, @regelId, @regelVersion, @subjekt, @forfald, @bestillingId, @kommando, 'afventer', @aarsag, @position)
         ON CONFLICT (id) DO NOTHING`,
      ),
      annuller: db.prepare<[string, string]>(
        `DELETE FROM frist WHERE regel_id = ? AND subjekt = ? AND status = 'afventer'`,
      ),
      udloeste: db.prepare<[string, string], { id: string; kommando: string }>(
        `SELECT id, kommando FROM frist WHERE regel_id = ? AND subjekt = ? AND status = 'udloest'`,
      ),
      afslut: db.prepare<[string]>(`UPDATE frist SET status = 'afsluttet' WHERE id = ?`),
      udbakke: db.prepare<[string]>('INSERT INTO udbakke (kommando) VALUES (?)'),
      affyr: db.prepare<[string, number]>(
        'INSERT INTO affyring (regel_id, antal) VALUES (?, ?) ON CONFLICT (regel_id) DO UPDATE SET antal = antal + excluded.antal',
      ),
      checkpoint: db.prepare<[], { position: number; event_id: string | null }>(
        `SELECT position, event_id FROM checkpoint WHERE name = 'regler'`,
      ),
      putCheckpoint: db.prepare<[number, string | null]>(
        `INSERT INTO checkpoint (name, position, event_id) VALUES ('regler', ?, ?)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position, event_id = excluded.event_id`,
      ),
      forfaldne: db.prepare<[string, number], { id: string; regel_id: string; kommando: string }>(
        `SELECT id, regel_id, kommando FROM frist WHERE status = 'afventer' AND forfald <= ? ORDER BY forfald, sat_position, rowid LIMIT ?`,
      ),
      udloes: db.prepare<[string, string]>(
        `UPDATE frist SET status = 'udloest', udloest = ? WHERE id = ? AND status = 'afventer'`,
      ),
      naeste: db.prepare<[], string | null>(`SELECT MIN(forfald) FROM frist WHERE status = 'afventer'`).pluck(),
      laesUdbakke: db.prepare<[number], { seq: number; kommando: string }>(
        'SELECT seq, kommando FROM udbakke ORDER BY seq LIMIT ?',
      ),
      udfoert: db.prepare<[number]>('DELETE FROM udbakke WHERE seq = ?'),
      afvis: db.prepare<[number, string, string, string, string]>(
        'INSERT INTO afvist (seq, kommando, code, message, afvist) VALUES (?, ?, ?, ?, ?)',
      ),
      frister: db.prepare<
        [string],
        {
          id: string;
          regel_id: string;
          regel_version: number;
          subjekt: string;
          forfald: string;
          bestilling_id: string;
          kommando: string;
          status: FristStatus;
        }
      >('SELECT * FROM frist WHERE bestilling_id = ? ORDER BY forfald, sat_position, rowid'),
      taelAfventer: db.prepare<[], number>(`SELECT COUNT(*) FROM frist WHERE status = 'afventer'`).pluck(),
      taelForfaldne: db
        .prepare<[string], number>(`SELECT COUNT(*) FROM frist WHERE status = 'afventer' AND forfald <= ?`)
        .pluck(),
      taelUdbakke: db.prepare<[], number>('SELECT COUNT(*) FROM udbakke').pluck(),
      taelAfviste: db.prepare<[], number>('SELECT COUNT(*) FROM afvist').pluck(),
      affyringer: db.prepare<[], { regel_id: string; antal: number }>('SELECT regel_id, antal FROM affyring'),
    };
  }

  checkpoint(): Promise<RuleStateCheckpoint> {
    return Promise.resolve(this.readCheckpoint());
  }

  private readCheckpoint(): RuleStateCheckpoint {
    const row = this.stmt.checkpoint.get();
    return { position: row?.position ?? 0, eventId: row?.event_id ?? null };
  }

  async docs(ids: Iterable<string>): Promise<Map<string, RegelDoc>> {
    const out = new Map<string, RegelDoc>();
    for (const id of ids) {
      if (out.has(id)) continue;
      const json = this.stmt.doc.get(id);
      if (json !== undefined) out.set(id, JSON.parse(json) as RegelDoc);
    }
    return out;
  }

  async commit(
    docs: ReadonlyMap<string, RegelDoc>,
    beslutninger: readonly Beslutning[],
    checkpoint: BatchCheckpoint,
  ): Promise<number> {
    let udbakke = 0;
    const affyret = new Map<string, number>();
    const tael = (id: string) => affyret.set(id, (affyret.get(id) ?? 0) + 1);
    const overhalet = overhaledeFrister(beslutninger);
    this.db.transaction(() => {
      const stored = this.readCheckpoint().position;
      if (stored !== checkpoint.after) throw new RuleStateCheckpointMovedError(checkpoint.after, stored);
      for (const [id, doc] of docs) this.stmt.putDoc.run(id, JSON.stringify(doc));
      for (const [index, b] of beslutninger.entries()) {
        if (overhalet.has(index)) continue;
        const u = b.udfald;
        if (u.type === 'kommando') {
          this.stmt.udbakke.run(JSON.stringify(u.kommando));
          udbakke += 1;
          tael(b.regel.id);
        } else if (u.type === 'frist') {
          this.stmt.putFrist.run({
            id: regelId('frist', b.regel.id, u.subjekt, b.eventId),
            regelId: b.regel.id,
            regelVersion: b.regel.version,
            subjekt: u.subjekt,
            forfald: u.forfald,
            bestillingId: b.bestillingId,
            kommando: JSON.stringify(u.kommando),
            aarsag: b.eventId,
            position: b.position,
          });
        } else {
          this.stmt.annuller.run(b.regel.id, u.subjekt);
          // Reminders already sent for the subject leave the recipient's open items.
          for (const fired of this.stmt.udloeste.all(b.regel.id, u.subjekt)) {
            this.stmt.afslut.run(fired.id);
            const afslut = afslutSendt(JSON.parse(fired.kommando) as PligtCommand, b);
            if (!afslut) continue;
            this.stmt.udbakke.run(JSON.stringify(afslut));
            udbakke += 1;
          }
        }
      }
      for (const [id, antal] of affyret) this.stmt.affyr.run(id, antal);
      this.stmt.putCheckpoint.run(checkpoint.position, checkpoint.eventId);
    })();
    return udbakke;
  }

  async fireDue(now: string, limit: number): Promise<number> {
    return this.db.transaction(() => {
      const due = this.stmt.forfaldne.all(now, limit);
      for (const row of due) {
        this.stmt.udloes.run(now, row.id);
        this.stmt.udbakke.run(row.kommando);
        this.stmt.affyr.run(row.regel_id, 1);
      }
      return due.length;
    })();
  }

  async nextDue(): Promise<string | null> {
    return this.stmt.naeste.get() ?? null;
  }

  async outbox(limit: number): Promise<UdbakkeRow[]> {
    return this.stmt.laesUdbakke
      .all(limit)
      .map((r) => ({ seq: r.seq, kommando: JSON.parse(r.kommando) as PligtCommand }));
  }

  async done(seq: number): Promise<void> {
    this.stmt.udfoert.run(seq);
  }

  async reject(row: UdbakkeRow, code: string, message: string, now: string): Promise<void> {
    this.db.transaction(() => {
      this.stmt.afvis.run(row.seq, JSON.stringify(row.kommando), code, message, now);
      this.stmt.udfoert.run(row.seq);
    })();
  }

  async frister(bestillingId: string): Promise<FristRow[]> {
    return this.stmt.frister.all(bestillingId).map((r) => ({
      id: r.id,
      regelId: r.regel_id,
      regelVersion: r.regel_version,
      subjekt: r.subjekt,
      forfald: r.forfald,
      bestillingId: r.bestilling_id,
      kommando: JSON.parse(r.kommando) as PligtCommand,
      status: r.status,
    }));
  }

  async status(now: string): Promise<RuleStateStatus> {
    const cp = this.readCheckpoint();
    return {
      checkpoint: cp.position,
      checkpointEventId: cp.eventId,
      fristerAfventer: this.stmt.taelAfventer.get() ?? 0,
      fristerForfaldne: this.stmt.taelForfaldne.get(now) ?? 0,
      udbakke: this.stmt.taelUdbakke.get() ?? 0,
      afviste: this.stmt.taelAfviste.get() ?? 0,
      affyringer: Object.fromEntries(this.stmt.affyringer.all().map((r) => [r.regel_id, r.antal])),
    };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
