import { SetMetadata } from '@nestjs/common';
import { AccessDeniedError, type Party } from '../commands/access';

export const PARTIES = 'ffb-hub:parties';

/**
 * The parties a route admits when it says nothing: the two parties of a bestilling. The analytiker and drift are
 * admitted only where a route names them (default deny), so a new route never opens to them by accident.
 */
export const DEFAULT_PARTIES: readonly Party[] = ['myndighed', 'udfoerer'];

/** Marks a controller or route as open to exactly these parties (public routes need no token and ignore this). */
export const Parties = (...parties: Party[]) => SetMetadata(PARTIES, parties);

/** 403 `ADGANG.FORKERT_PART` unless the route admits the caller's party. */
export function assertRouteParty(party: Party, admitted: readonly Party[] = DEFAULT_PARTIES): void {
  if (!admitted.includes(party))
    throw new AccessDeniedError('ADGANG.FORKERT_PART', `this route is not open to the ${party}`);
}
