import type { HubCommand } from './command-service';

/**
 * The parties of design.md §5 and issue 7: the myndighed (kommunekode) orders, the udfører (tilbudId) delivers; the
 * analytiker (kommunekode) reads only the pseudonymised analyses of its kommune; drift (operations, no scope) reads only
 * what is public. Only the myndighed and the udfører send commands.
 */
export type Party = 'myndighed' | 'udfoerer' | 'analytiker' | 'drift';

/** Who calls the hub: a party (myndighed or analytiker with kommunekode, udfører with tilbudId) and its system or person. */
export interface Actor {
  readonly party: Party;
  readonly subject: string;
  readonly kommunekode?: string;
  readonly tilbudId?: string;
}

/** The parties of a bestilling (and of its delmål). */
export interface Scope {
  readonly kommunekode: string;
  readonly tilbudId: string;
}

export class AccessDeniedError extends Error {
  constructor(
    readonly code: 'ADGANG.FORKERT_PART' | 'ADGANG.ANDEN_KOMMUNE' | 'ADGANG.ANDET_TILBUD',
    message: string,
  ) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

/** Which party may send which command (reference.md §1.1: the myndighed orders and follows up; the udfører delivers and documents). */
export const COMMAND_PARTY: Record<HubCommand['type'], 'myndighed' | 'udfoerer'> = {
  AfgivBestilling: 'myndighed',
  AendrBestilling: 'myndighed',
  AnnullerBestilling: 'myndighed',
  KvitterTilbagemelding: 'myndighed',
  GennemfoerOpfoelgning: 'myndighed',
  AfslutIndsats: 'myndighed',
  KvitterBestilling: 'udfoerer',
  AccepterBestilling: 'udfoerer',
  AfvisBestilling: 'udfoerer',
  RegistrerVumObservation: 'udfoerer',
  SendStatus: 'udfoerer',
  SendTilbagemelding: 'udfoerer',
  OpretDelmaal: 'udfoerer',
  RegistrerDelmaalsobservation: 'udfoerer',
  EvaluerDelmaal: 'udfoerer',
  AfslutDelmaal: 'udfoerer',
};

export function assertParty(actor: Actor, commandType: HubCommand['type']): void {
  const required = COMMAND_PARTY[commandType];
  if (actor.party !== required) {
    throw new AccessDeniedError(
      'ADGANG.FORKERT_PART',
      `${commandType} is sent by the ${required}, not by the ${actor.party}`,
    );
  }
}

/**
 * A myndighed sees and acts on its own kommune's bestillinger; an udfører on those addressed to its tilbud; no other
 * party sees a bestilling at all (the analytiker sees pseudonymised analyses, drift nothing personal).
 */
export function assertScope(actor: Actor, scope: Scope): void {
  if (actor.party !== 'myndighed' && actor.party !== 'udfoerer') {
    throw new AccessDeniedError('ADGANG.FORKERT_PART', `the ${actor.party} sees no bestilling`);
  }
  if (actor.party === 'myndighed' && actor.kommunekode !== scope.kommunekode) {
    throw new AccessDeniedError('ADGANG.ANDEN_KOMMUNE', 'the bestilling belongs to another kommune');
  }
  if (actor.party === 'udfoerer' && actor.tilbudId !== scope.tilbudId) {
    throw new AccessDeniedError('ADGANG.ANDET_TILBUD', 'the bestilling is addressed to another tilbud');
  }
}
