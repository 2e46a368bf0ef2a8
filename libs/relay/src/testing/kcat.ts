import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { assertKcatInstalled, KCAT } from './mock-kafka';

const run = promisify(execFile);

/** A record as an outside consumer sees it. */
export interface KcatRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: string | null;
}

/**
 * Reads a whole topic with kcat as a plain consumer (no group, every partition from the beginning, exit at the end):
 * what a fagsystem's own client would see. `-J` prints one JSON envelope per record with the headers as a flat
 * [name, value, ...] list, which parses without ambiguity (`-f '%h'` joins them with commas).
 */
export async function readTopic(bootstrap: string, topic: string): Promise<KcatRecord[]> {
  assertKcatInstalled();
  const { stdout } = await run(KCAT, ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-J', '-q'], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30_000,
  });
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const raw = JSON.parse(line) as {
        topic: string;
        partition: number;
        offset: number;
        key: string | null;
        payload: string | null;
        headers?: string[];
      };
      const headers: Record<string, string> = {};
      const list = raw.headers ?? [];
      for (let i = 0; i + 1 < list.length; i += 2) headers[list[i] as string] = list[i + 1] as string;
      return {
        topic: raw.topic,
        partition: raw.partition,
        offset: raw.offset,
        key: raw.key,
        headers,
        payload: raw.payload,
      };
    });
}

/** Every topic the broker knows. */
export async function listTopics(bootstrap: string): Promise<string[]> {
  const { stdout } = await run(KCAT, ['-L', '-b', bootstrap, '-J'], { timeout: 30_000 });
  return (JSON.parse(stdout) as { topics: { topic: string }[] }).topics.map((t) => t.topic);
}

/** Produces one record with kcat, as a fagsystem would (headers as name=value). */
export async function produce(
  bootstrap: string,
  record: { topic: string; key: string; headers: Readonly<Record<string, string>>; value: string },
): Promise<void> {
  const args = ['-P', '-b', bootstrap, '-t', record.topic, '-k', record.key];
  for (const [name, value] of Object.entries(record.headers)) args.push('-H', `${name}=${value}`);
  await new Promise<void>((resolve, reject) => {
    const child = execFile(KCAT, args, { timeout: 30_000 }, (error) => (error ? reject(error) : resolve()));
    // One record: the value on one line (kcat splits on newlines by default).
    child.stdin?.end(`${record.value.replace(/\n/g, ' ')}\n`);
  });
}

/** Creates topics on the mock cluster, which has no CreateTopics but creates a topic on a metadata request for it. */
export async function ensureTopics(bootstrap: string, topics: readonly string[]): Promise<void> {
  for (const topic of topics) await run(KCAT, ['-L', '-b', bootstrap, '-t', topic, '-J'], { timeout: 30_000 });
}
