import type { DelmaalFindes } from '../delmaal/delmaal.decider';
import type { StatusPaaIndsatsmaal } from './bestilling.events';
import { aktiveIndsatsmaal, type BestillingFindes } from './bestilling.state';

/**
 * The status draft: the konklusioner of each active indsatsmål's delmål "fly" into the status (reference.md §4.4),
 * one paragraph per delmål, for the udfører to edit before sending. [INFERENCE, Q-07] concatenation in delmål order.
 */
export function forslagTilStatus(
  bestilling: BestillingFindes,
  delmaal: readonly DelmaalFindes[],
): StatusPaaIndsatsmaal[] {
  return aktiveIndsatsmaal(bestilling).map((maal) => {
    const afsnit = delmaal
      .filter((d) => d.indsatsmaalId === maal.indsatsmaalId && d.konklusion !== null)
      .map((d) => `${d.navn}: ${d.konklusion as string}`);
    return { indsatsmaalId: maal.indsatsmaalId, statustekst: afsnit.join('\n\n') };
  });
}
