import type { CommandMeta, CommandOutcome, CommandService, HubCommand } from './command-service';

/**
 * Handles a command whose acceptance must be known before a side effect outside the log (afgiv bestilling registers
 * the borger in the PII vault): decide it in a dry run, run `beforeAppend`, then append the command it returns. A
 * refused command never reaches the side effect. Without `beforeAppend` this is a plain handle().
 */
export async function handleWithBeforeAppend(
  commands: CommandService,
  command: HubCommand,
  meta: CommandMeta,
  beforeAppend?: () => HubCommand | Promise<HubCommand>,
): Promise<CommandOutcome> {
  if (!beforeAppend) return commands.handle(command, meta);
  await commands.handle(command, { ...meta, dryRun: true });
  return commands.handle(await beforeAppend(), meta);
}
