import type { StatusPaaIndsatsmaal } from './bestilling.events';

/**
 * The status draft: the konklusioner of each active indsatsmål's delmål "fly" into the status (reference.md §4.4),
 * one paragraph per delmål, for the udfører to edit before sending. [INFERENCE, Q-07] concatenation in delmål order.
 * Structural, so the write side's states and the read side's documents both fit.
 */
export function forslagTilStatus(
  bestilling: { readonly indsatsmaal: readonly { readonly indsatsmaalId: string; readonly aktiv: boolean }[] },
  delmaal: readonly { readonly indsatsmaalId: string; readonly navn: string; readonly konklusion: string | null }[],
): StatusPaaIndsatsmaal[] {
  return bestilling.indsatsmaal
    .filter((maal) => maal.aktiv)
    .map((maal) => {
      const afsnit = delmaal
        .filter((d) => d.indsatsmaalId === maal.indsatsmaalId && d.konklusion !== null)
        .map((d) => `${d.navn}: ${d.konklusion as string}`);
      return { indsatsmaalId: maal.indsatsmaalId, statustekst: afsnit.join('\n\n') };
    });
}
