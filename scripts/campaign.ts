/**
 * The reliability campaign (issue 10; BENCHMARKS.md "Reliability campaign"):
 *
 *   npm run campaign              # full: 20 SIGKILL rounds, outages, hostile input
 *   npm run campaign -- --quick   # short: what CI runs (test/e2e/campaign.e2e.spec.ts)
 *   npm run campaign -- --only crash|outages|hostile
 *   npm run campaign -- --seed 14532   # the hostile input of an earlier run again
 *
 * Prints what it does on stderr and a summary on stdout; exits 1 when anything was lost, doubled or broken.
 */
import { runCampaign, formatSummary, type CampaignPart } from '../test/campaign/campaign';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const i = process.argv.indexOf('--only');
  const only = i >= 0 ? (process.argv[i + 1] as CampaignPart) : undefined;
  const s = process.argv.indexOf('--seed');
  const seed = s >= 0 ? Number(process.argv[s + 1]) : undefined;
  const started = Date.now();
  const summary = await runCampaign({
    quick,
    ...(only ? { only } : {}),
    ...(seed === undefined ? {} : { seed }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatSummary(summary)}\n`);
  process.stdout.write(`took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  process.exitCode = summary.failures.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
