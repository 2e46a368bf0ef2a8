import type { Kysely } from 'kysely';
import {
  analyse,
  LiveTables,
  observationer,
  sagsoversigt,
  tilbagemeldingspligt,
  type ReadDb,
  type ReadModel,
  type Scope,
  type Tables,
} from '@hub/read-models';
import { AccessDeniedError } from '../commands/access';
import type { Principal } from '../auth/token-verifier';
import { HttpProblem } from '../http/problem';

/** The read models this hub keeps, built once from configuration. */
export function readModels(analyseKey: Buffer) {
  return { sagsoversigt, observationer, analyse: analyse({ pseudonymKey: analyseKey }), tilbagemeldingspligt };
}
export type HubReadModels = ReturnType<typeof readModels>;

/** What the query controllers need: the read store, its live tables, the caller's scope, today's date. */
export class ReadSide {
  private readonly live: LiveTables;

  constructor(
    readonly readDb: ReadDb,
    readonly models: HubReadModels,
    readonly minGruppe: number,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.live = new LiveTables(readDb);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  get db(): Kysely<any> {
    return this.readDb.db;
  }

  idag(): string {
    return this.clock().toISOString().slice(0, 10);
  }

  async tables<T extends string>(model: ReadModel<T>): Promise<Tables<T>> {
    const tables = await this.live.of(model);
    if (!tables)
      throw new HttpProblem(
        503,
        'LAESEMODEL.IKKE_KLAR',
        'Service unavailable',
        `the read model ${model.name} is not built yet; retry shortly`,
        [],
        { 'Retry-After': '2' },
      );
    return tables;
  }

  /**
   * The caller's scope among the bestillingers' parties, demanding one where a route belongs to it. The analytiker and
   * drift have none: they see no bestilling (the route guard already turns them away; this is the second line).
   */
  scope(caller: Principal, party?: Scope['party']): Scope {
    if ((party && caller.party !== party) || (caller.party !== 'myndighed' && caller.party !== 'udfoerer'))
      throw new AccessDeniedError(
        'ADGANG.FORKERT_PART',
        `this view belongs to the ${party ?? 'myndighed or udfører'}, not the ${caller.party}`,
      );
    return caller.party === 'myndighed'
      ? { party: 'myndighed', kommunekode: caller.kommunekode as string }
      : { party: 'udfoerer', tilbudId: caller.tilbudId as string };
  }

  /**
   * The kommune whose pseudonymised analyses the caller reads: an analytiker's, or a myndighed's own (the data
   * controller keeps access to its kommune's analyses).
   */
  analyseKommune(caller: Principal): string {
    if ((caller.party !== 'myndighed' && caller.party !== 'analytiker') || !caller.kommunekode)
      throw new AccessDeniedError('ADGANG.FORKERT_PART', `the analyses are not open to the ${caller.party}`);
    return caller.kommunekode;
  }
}
