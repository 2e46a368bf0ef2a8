/** What `npm run bench` passes to every benchmark module. */
export interface BenchOptions {
  /** A short run for a smoke check (under ~20 s in total); figures are noisier. */
  readonly quick: boolean;
  /** A fresh directory the module may fill; removed after the run. */
  readonly tmpDir: string;
  /** Progress lines (stderr), so the table on stdout stays clean. */
  readonly log: (line: string) => void;
}

/** One line of the table. A figure without a baseline leaves the last three cells empty. */
export interface BenchRow {
  readonly figure: string;
  readonly unit: string;
  readonly value: number;
  readonly baseline?: string;
  readonly baselineValue?: number;
  /** value / baselineValue, for figures where more is better. */
  readonly ratio?: number;
  /** The ratio the issue aims for, shown next to the ratio. */
  readonly aim?: number;
}

/** A benchmark module: `export async function bench(options): Promise<BenchRow[]>`, listed in bench/run.ts. */
export type BenchModule = (options: BenchOptions) => Promise<BenchRow[]>;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
