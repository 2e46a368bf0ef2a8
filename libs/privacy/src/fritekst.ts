import { DomainError, Fejlkode, FRITEKST_FELTER, medFritekst, SLETTET_TEKST, type FritekstFelter } from '@hub/domain';
import type { Ciphertext, PiiVault } from './pii-vault';

/** How an encrypted free text is stored: `ffbpii:1:<borgerId>:<base64 of iv | tag | ciphertext>`. */
const PREFIX = 'ffbpii:1:';
const ENVELOPE = /^ffbpii:1:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([A-Za-z0-9+/]+={0,2})$/;

export const erKrypteretTekst = (value: unknown): value is string => typeof value === 'string' && ENVELOPE.test(value);

/** The borger an encrypted text belongs to, or undefined when `value` is not one. */
export function borgerAfTekst(value: string): string | undefined {
  return ENVELOPE.exec(value)?.[1];
}

/**
 * Free text under the borger's key (design.md §3, crypto-shredding). The write path calls `beskyt` on the events a
 * command decided, before they are folded, cached or appended: the log, the read models and every cache hold only
 * ciphertext, which names its borger. Every edge that shows data to a party (HTTP responses, Kafka messages) calls
 * `afsloer` last: it opens each encrypted text with one vault lookup per borger, and an erased borger's texts read
 * `[slettet]`. Nothing else in the hub needs the plain text, so erasing the key erases the text everywhere at once.
 */
export class Fritekst {
  constructor(
    private readonly vault: PiiVault,
    private readonly felter: FritekstFelter = FRITEKST_FELTER,
  ) {}

  /** The events with their free text encrypted under the borger's key. Refuses (422 BORGER.SLETTET) for an erased borger. */
  async beskyt<E extends { readonly type: string; readonly data: unknown }>(
    borgerId: string,
    events: readonly E[],
  ): Promise<E[]> {
    const texts: string[] = [];
    for (const event of events) {
      await medFritekst(event.data, this.felter[event.type] ?? [], (text) => (texts.push(text), text));
    }
    if (texts.length === 0) return [...events];
    const sealed = await this.vault.krypterMange(borgerId, texts);
    if (!sealed) {
      throw new DomainError('rule', [
        {
          code: Fejlkode.borgerSlettet,
          message: 'the borger has been erased: nothing more can be recorded about them',
        },
      ]);
    }
    let next = 0;
    const result: E[] = [];
    for (const event of events) {
      const data = await medFritekst(
        event.data,
        this.felter[event.type] ?? [],
        () => `${PREFIX}${borgerId}:${sealed[next++] as string}`,
      );
      result.push({ ...event, data });
    }
    return result;
  }

  /**
   * `value` with every encrypted text opened: a copy of plain JSON (objects and arrays), one vault lookup per distinct
   * borger. Texts of an erased borger read `[slettet]`. Only a whole string is opened, never ciphertext inside a
   * longer one, and what was opened is not looked at again: a text a person wrote that quotes ciphertext is shown as
   * written, so the hub can never be made to open another borger's text. Call it once per answer (JSON columns
   * parsed first).
   */
  async afsloer<T>(value: T): Promise<T> {
    const found: Ciphertext[] = [];
    const index = new Map<string, number>();
    collect(value, (text) => {
      if (index.has(text)) return;
      const m = ENVELOPE.exec(text) as RegExpExecArray;
      index.set(text, found.length);
      found.push({ borgerId: m[1] as string, ciphertext: m[2] as string });
    });
    if (found.length === 0) return value;
    const opened = await this.vault.dekrypterMange(found);
    return replace(value, (text) => opened[index.get(text) as number] ?? SLETTET_TEKST) as T;
  }
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

function collect(value: unknown, found: (text: string) => void): void {
  if (typeof value === 'string') {
    if (value.startsWith(PREFIX) && ENVELOPE.test(value)) found(value);
  } else if (Array.isArray(value)) {
    for (const element of value) collect(element, found);
  } else if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    for (const element of Object.values(value)) collect(element, found);
  }
}

function replace(value: unknown, open: (text: string) => string): unknown {
  if (typeof value === 'string') return value.startsWith(PREFIX) && ENVELOPE.test(value) ? open(value) : value;
  if (Array.isArray(value)) return value.map((element) => replace(element, open));
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, element] of Object.entries(value)) copy[key] = replace(element, open);
    return copy;
  }
  return value;
}
