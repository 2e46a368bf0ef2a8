import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * A Kafka-protocol broker for tests: librdkafka's mock cluster, started through Debian's `kcat` (docs/adr/0006).
 * It speaks the real protocol over TCP, so kafkajs runs unchanged against it. Its limits (env-notes.md): no
 * CreateTopics (topics auto-create with 4 partitions), controller id 0 (kafkajs's idempotent producer cannot connect),
 * about 5 MiB kept per partition, and it forgets everything when it stops.
 */
export interface MockKafka {
  /** `127.0.0.1:PORT`. */
  readonly bootstrap: string;
  readonly brokers: readonly string[];
  /** The broker's process: SIGSTOP freezes it (an outage that keeps its data), SIGCONT lets it go on. */
  readonly pid: number;
  stop(): Promise<void>;
}

export const KCAT = 'kcat';
const INSTALL_HINT =
  "The Kafka tests run against librdkafka's mock cluster, which comes with kcat. Install it with `sudo apt-get install -y kcat` (Debian/Ubuntu) or run `bash scripts/install-test-peers.sh`.";

/** Throws a clear error naming the install command when kcat is not on the PATH. */
export function assertKcatInstalled(): void {
  const probe = spawnSync(KCAT, ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? probe.error.message : `exit code ${probe.status}`;
    throw new Error(`kcat is missing or broken (${why}). ${INSTALL_HINT}`);
  }
}

const running = new Set<ChildProcess>();
// A crashed test must not leave brokers behind; jest workers exit normally, so 'exit' covers them.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a one-broker mock cluster and resolves with its bootstrap address. kcat runs as a producer reading its
 * stdin, which stays open until stop(), so the cluster lives exactly as long as the handle.
 */
export async function startMockKafka(options: { readonly startTimeoutMs?: number } = {}): Promise<MockKafka> {
  assertKcatInstalled();
  const child = spawn(KCAT, ['-P', '-b', '127.0.0.1:1', '-t', 'keepalive', '-X', 'test.mock.num.brokers=1'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => running.delete(child));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // kcat blocks reading stdin and ignores SIGTERM meanwhile; end of input makes it exit at once.
      child.stdin?.end();
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(kill);
    }
    await exited;
  };
  try {
    const bootstrap = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(
        () =>
          reject(new Error(`kcat's mock cluster printed no bootstrap address within timeout: ${seen.slice(0, 500)}`)),
        options.startTimeoutMs ?? 10_000,
      );
      child.stderr?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        // "%5|...|MOCK|...: Mock cluster enabled: ... replaced with 127.0.0.1:PORT" (and, with -d mock,
        // "bootstrap.servers=127.0.0.1:PORT").
        const match = /MOCK\|.*?(127\.0\.0\.1:\d+)/.exec(seen);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kcat exited (${code}) before the mock cluster started: ${seen.slice(0, 500)}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`kcat could not start: ${error.message}. ${INSTALL_HINT}`));
      });
    });
    // Keep draining stderr so a chatty librdkafka never blocks on a full pipe.
    child.stderr?.resume();
    return { bootstrap, brokers: [bootstrap], pid: child.pid as number, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
