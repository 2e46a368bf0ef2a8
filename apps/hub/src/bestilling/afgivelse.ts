import { randomUUID } from 'node:crypto';
import { kontrollerCpr } from '@hub/domain';
import type { PiiVault } from '@hub/privacy';
import { afgivBestilling, type IdFor } from '../commands/command-builders';
import type { HubCommand } from '../commands/command-service';
import type { AfgivBestillingDto } from './bestilling.dto';

export interface Afgivelse {
  readonly bestillingId: string;
  /** The command to decide: with the borger's borgerId when the vault knows the CPR, else a provisional one. */
  readonly command: HubCommand;
  /**
   * For a borger the vault does not know yet: registers the CPR (once a dry run accepted the bestilling) and returns
   * the command to append, with the borgerId the vault gave. Undefined when the borger is known.
   */
  readonly beforeAppend: (() => Promise<HubCommand>) | undefined;
}

/**
 * Afgiv bestilling with a CPR, the same over HTTP and Kafka: the CPR is checked, kept only in the PII vault, and the
 * events carry a borgerId (docs/adr/0005: the borger enters the vault only once the bestilling is known to be accepted).
 */
export async function forberedAfgivelse(vault: PiiVault, body: AfgivBestillingDto, idFor: IdFor): Promise<Afgivelse> {
  kontrollerCpr(body.cpr);
  const bestillingId = idFor(body.bestillingId, 'bestillingId');
  const { cpr, ...rest } = body;
  const kendt = await vault.findBorger(cpr);
  const provisional = kendt ?? randomUUID();
  const command = afgivBestilling(rest, bestillingId, provisional, idFor);
  const withBorger = (borgerId: string): HubCommand => ({ ...command, data: { ...command.data, borgerId } });
  return {
    bestillingId,
    command,
    beforeAppend: kendt
      ? undefined
      : async () => withBorger((await vault.registrerBorger(cpr, () => provisional)).borgerId),
  };
}
