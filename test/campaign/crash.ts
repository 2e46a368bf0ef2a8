import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startMockKafka } from '@hub/relay/testing/mock-kafka';
import { spawnHub, type HubProcess } from '../e2e/support/processes';
import { campaignHub, checkLog, checkReadModels, kafkaEnv, waitCaughtUp } from './checks';
import { startLoad, type LoadStats } from './load';

export interface CrashOptions {
  readonly rounds: number;
  readonly workers: number;
  /** How long the load runs before each kill, drawn uniformly from this range (ms). */
  readonly roundMs: readonly [number, number];
  readonly log?: (line: string) => void;
}

export interface CrashSummary {
  readonly rounds: number;
  readonly commandsAcknowledged: number;
  readonly eventsInLog: number;
  readonly eventsChecked: number;
  readonly losses: number;
  readonly readModelDiffs: number;
  readonly readModelDuplicates: number;
  readonly relayChecked: number;
  readonly relayMissing: number;
  readonly relayRedelivered: number;
  readonly deadlinesFired: number;
  readonly deadlinesTwice: number;
  readonly load: LoadStats;
  /** Everything that is wrong, in words; empty when the campaign found nothing. */
  readonly failures: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The crash campaign (issue 10): the hub on its embedded default with every role (projector, relay to a Kafka broker,
 * rules) takes commands from a load generator while it is killed with SIGKILL at random moments and started again on
 * the same data directory. The generator keeps a ledger of every acknowledged command. Afterwards, with the hub caught
 * up and stopped: every acknowledged command's events are in the log; the read models equal a rebuild from position
 * 0 and hold no duplicate row; the relay delivered every message the log gives at least once (read back with kcat);
 * no deadline fired twice.
 */
export async function runCrashCampaign(options: CrashOptions): Promise<CrashSummary> {
  const log = options.log ?? (() => undefined);
  const failures: string[] = [];
  const kafka = await startMockKafka();
  const { dataDir, env, tokens } = await campaignHub('campaign', kafkaEnv(kafka));
  let hub: HubProcess | undefined;
  let current: string | undefined;
  const start = async () => {
    hub = await spawnHub(dataDir, env);
    current = hub.url;
  };
  try {
    await start();
    const load = startLoad({ target: () => current, tokens, workers: options.workers });
    for (let round = 1; round <= options.rounds; round++) {
      await sleep(randomInt(options.roundMs[0], options.roundMs[1] + 1));
      const killed = hub as HubProcess;
      current = undefined;
      await killed.stop('SIGKILL');
      log(`round ${round}/${options.rounds}: SIGKILL after ${load.stats.acknowledged} acknowledged commands`);
      await start();
    }
    await sleep(options.roundMs[0]);
    await load.stop();
    await waitCaughtUp(current as string);
    current = undefined;
    await (hub as HubProcess).stop('SIGTERM');
    hub = undefined;

    const { eventsInLog, lost, deadlines, relay } = await checkLog(env, load.ledger, kafka.bootstrap);
    const { tables, diffs, duplicates } = await checkReadModels(env);

    const eventsChecked = load.ledger.reduce((n, e) => n + e.eventIds.length, 0);
    if (lost.length > 0) failures.push(`${lost.length} acknowledged events are not in the log: ${lost.slice(0, 5)}`);
    if (diffs.length > 0) failures.push(`read models differ from a rebuild (${diffs.length}): ${diffs.slice(0, 3)}`);
    if (duplicates > 0) failures.push(`${duplicates} duplicate rows in the read models`);
    if (relay.missing.length > 0)
      failures.push(`${relay.missing.length} messages never delivered: ${relay.missing.slice(0, 5)}`);
    if (deadlines.twice.length > 0) failures.push(`deadlines fired twice: ${deadlines.twice.slice(0, 5)}`);
    if (load.stats.serverErrors.length > 0) failures.push(`5xx answers: ${load.stats.serverErrors.slice(0, 3)}`);
    if (load.stats.unexpected.length > 0) failures.push(`unexpected answers: ${load.stats.unexpected.slice(0, 3)}`);
    if (load.stats.acknowledged < options.rounds)
      failures.push(`only ${load.stats.acknowledged} commands acknowledged: the load did not run`);
    if (tables === 0) failures.push('no read model table was found to compare');
    return {
      rounds: options.rounds,
      commandsAcknowledged: load.stats.acknowledged,
      eventsInLog,
      eventsChecked,
      losses: lost.length,
      readModelDiffs: diffs.length,
      readModelDuplicates: duplicates,
      relayChecked: relay.checked,
      relayMissing: relay.missing.length,
      relayRedelivered: relay.duplicates,
      deadlinesFired: deadlines.fired,
      deadlinesTwice: deadlines.twice.length,
      load: load.stats,
      failures,
    };
  } finally {
    current = undefined;
    await hub?.stop('SIGKILL');
    await kafka.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
