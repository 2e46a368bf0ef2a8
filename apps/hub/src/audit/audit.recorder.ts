import { Logger } from '@nestjs/common';
import type { AuditAction, AuditChannel, AuditEntry, AuditLog } from '@hub/audit';
import type { EventStore } from '@hub/event-store';
import type { Principal } from '../auth/token-verifier';
import { HttpProblem } from '../http/problem';
import type { ReadSide } from '../read-models/read-side';

/** What was touched: borgerIds named in a body, and bestillinger/delmål whose borger is to be looked up. */
export interface Touched {
  readonly borgere: Set<string>;
  readonly bestillinger: Set<string>;
  readonly delmaal: Set<string>;
}

export const touched = (): Touched => ({ borgere: new Set(), bestillinger: new Set(), delmaal: new Set() });

const STREAM = /^(bestilling|delmaal)-([0-9a-f-]{36})$/;

/**
 * Collects every `borgerId` field of a response body, recursively. An object without one that names a bestilling or
 * delmål (`bestillingId`, `delmaalId`, a command response's `streamId`) is resolved to its borger later; below an
 * object with a borgerId everything belongs to that borger already.
 */
export function collect(node: unknown, into: Touched): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (typeof o['borgerId'] === 'string') {
    into.borgere.add(o['borgerId']);
    return;
  }
  if (typeof o['bestillingId'] === 'string') into.bestillinger.add(o['bestillingId']);
  if (typeof o['delmaalId'] === 'string') into.delmaal.add(o['delmaalId']);
  const stream = typeof o['streamId'] === 'string' ? STREAM.exec(o['streamId']) : null;
  if (stream) (stream[1] === 'bestilling' ? into.bestillinger : into.delmaal).add(stream[2] as string);
  for (const value of Object.values(o)) if (value !== null && typeof value === 'object') collect(value, into);
}

export interface Use {
  readonly caller: Principal;
  readonly action: AuditAction;
  readonly channel: AuditChannel;
  readonly purpose: string;
  readonly correlationId: string;
}

/** A bestilling's or delmål's borger never changes, so what was looked up once is kept (bounded). */
const CACHE_MAX = 50_000;
const CHUNK = 500;

/**
 * Writes the audit entries of one use of borger data, resolving bestillinger and delmål to their borger: a bestilling
 * through the sagsoversigt read model (one query for a page), else its `BestillingAfgivet` event (a bestilling the
 * projector has not reached yet); a delmål through its `DelmaalOprettet` event. Any failure to record is a 503: a use
 * that cannot be logged is not served.
 */
export class AuditRecorder {
  private readonly logger = new Logger('Audit');
  private readonly borgerOf = new Map<string, string>();

  constructor(
    private readonly log: AuditLog,
    private readonly store: EventStore,
    private readonly reads: ReadSide | null,
    private readonly clock: () => Date,
  ) {}

  async record(use: Use, what: Touched): Promise<number> {
    return this.recordAll([{ use, what }]);
  }

  /** Several uses at once (a relay send to many parties): one lookup of what is not cached, one insert. */
  async recordAll(items: readonly { readonly use: Use; readonly what: Touched }[]): Promise<number> {
    try {
      const at = this.clock().toISOString();
      const entries: AuditEntry[] = [];
      for (const { use, what } of items) {
        const borgere = new Set(what.borgere);
        for (const b of await this.resolve(what)) borgere.add(b);
        const { caller } = use;
        for (const borgerId of borgere)
          entries.push({
            at,
            party: caller.party,
            subject: caller.subject,
            ...(caller.kommunekode === undefined ? {} : { kommunekode: caller.kommunekode }),
            ...(caller.tilbudId === undefined ? {} : { tilbudId: caller.tilbudId }),
            borgerId,
            action: use.action,
            channel: use.channel,
            purpose: use.purpose,
            correlationId: use.correlationId,
          });
      }
      if (entries.length === 0) return 0;
      await this.log.append(entries);
      return entries.length;
    } catch (error) {
      this.logger.error(`the audit log could not record a use of borger data: ${(error as Error).message}`);
      throw new HttpProblem(
        503,
        'AUDIT.UTILGAENGELIG',
        'Service unavailable',
        'the audit log cannot record this use of borger data; retry shortly',
        [],
        { 'Retry-After': '2' },
      );
    }
  }

  forBorger(borgerId: string): Promise<AuditEntry[]> {
    return this.log.forBorger(borgerId);
  }

  private async resolve(what: Touched): Promise<string[]> {
    const found: string[] = [];
    const missing = (ids: Iterable<string>, prefix: string) =>
      [...ids].filter((id) => {
        const b = this.borgerOf.get(`${prefix}${id}`);
        if (b) found.push(b);
        return !b;
      });
    const bestillinger = missing(what.bestillinger, 'bestilling-');
    const delmaal = missing(what.delmaal, 'delmaal-');
    if (bestillinger.length > 0 && this.reads) {
      const t = await this.reads.tables(this.reads.models.sagsoversigt).catch(() => null);
      for (let i = 0; t && i < bestillinger.length; i += CHUNK) {
        const rows = (await this.reads.db
          .selectFrom(t.indsats)
          .select(['id', 'borger_id'])
          .where('id', 'in', bestillinger.slice(i, i + CHUNK))
          .execute()) as { id: string; borger_id: string }[];
        for (const r of rows) this.remember(`bestilling-${r.id}`, r.borger_id, found);
      }
    }
    for (const id of bestillinger)
      if (!this.borgerOf.has(`bestilling-${id}`)) await this.fromStream(`bestilling-${id}`, found);
    for (const id of delmaal) await this.fromStream(`delmaal-${id}`, found);
    return found;
  }

  /** The borgerId in the stream's first event (BestillingAfgivet, DelmaalOprettet). */
  private async fromStream(streamId: string, found: string[]): Promise<void> {
    const [first] = await this.store.readStream(streamId);
    const borgerId = (first?.data as { borgerId?: unknown } | undefined)?.borgerId;
    if (typeof borgerId === 'string') this.remember(streamId, borgerId, found);
    else this.logger.warn(`no borger found for ${streamId}`);
  }

  private remember(key: string, borgerId: string, found: string[]): void {
    if (this.borgerOf.size >= CACHE_MAX) this.borgerOf.clear();
    this.borgerOf.set(key, borgerId);
    found.push(borgerId);
  }
}
