import type { EventStore, RecordedEvent } from '../event-store.port';

/** The fields compared, in this order; data and metadata as JSON text, so key order counts too. */
export const COMPARED_FIELDS = [
  'position',
  'eventId',
  'streamId',
  'revision',
  'type',
  'data',
  'metadata',
  'recordedAt',
] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

export interface LogDifference {
  /** The position where the logs part: the n-th event of both, or the first event only one log has. */
  readonly position: number;
  /** The first field that differs, or `missing` when one log ends there. */
  readonly field: ComparedField | 'missing';
  readonly source: unknown;
  readonly target: unknown;
}

export type VerifyResult =
  | { readonly equal: true; readonly compared: number }
  | { readonly equal: false; readonly compared: number; readonly difference: LogDifference };

export interface VerifyLogsOptions {
  /** Events per page of each log. Default 5000. */
  readonly pageSize?: number;
  /** Called after every page with the number of events compared. */
  readonly onProgress?: (compared: number) => void;
}

const valueOf = (event: RecordedEvent, field: ComparedField): unknown =>
  field === 'data' || field === 'metadata' ? JSON.stringify(event[field]) : event[field];

/** The first field in which two events differ, or undefined when they are the same. */
export function firstDifference(
  source: RecordedEvent,
  target: RecordedEvent,
): { field: ComparedField; source: unknown; target: unknown } | undefined {
  for (const field of COMPARED_FIELDS) {
    const a = valueOf(source, field);
    const b = valueOf(target, field);
    if (a !== b) return { field, source: a, target: b };
  }
  return undefined;
}

/**
 * Compares two logs event by event, every field, from position 1 to both heads, in pages (read side by side). Returns
 * the count compared, or the first difference; a log that ends early is a difference too.
 */
export async function verifyLogs(
  source: EventStore,
  target: EventStore,
  options: VerifyLogsOptions = {},
): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 5000;
  const readPair = (after: number): Promise<[readonly RecordedEvent[], readonly RecordedEvent[]]> => {
    // The target first: a SQLite source reads synchronously, so the target's query runs meanwhile.
    const fromTarget = target.readAll({ after, maxCount: pageSize });
    const pair = Promise.all([source.readAll({ after, maxCount: pageSize }), fromTarget]);
    pair.catch(() => undefined);
    return pair;
  };
  let compared = 0;
  let after = 0;
  let next = readPair(after);
  for (;;) {
    const [fromSource, fromTarget] = await next;
    const length = Math.max(fromSource.length, fromTarget.length);
    if (length === 0) return { equal: true, compared };
    // Both pages are full or the logs end here; the next pair is read while this one is compared.
    const last = (fromSource.length >= fromTarget.length ? fromSource : fromTarget)[length - 1] as RecordedEvent;
    next = readPair(last.position);
    for (let i = 0; i < length; i++) {
      const a = fromSource[i];
      const b = fromTarget[i];
      if (!a || !b) {
        const position = (a ?? b)?.position ?? after + i + 1;
        return {
          equal: false,
          compared,
          difference: {
            position,
            field: 'missing',
            source: a ? 'present' : 'absent',
            target: b ? 'present' : 'absent',
          },
        };
      }
      const difference = firstDifference(a, b);
      if (difference) return { equal: false, compared, difference: { position: a.position, ...difference } };
      compared += 1;
    }
    after = last.position;
    options.onProgress?.(compared);
  }
}
