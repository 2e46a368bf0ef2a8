import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** The four characters COPY's text format gives a meaning: column and row separators, and its escape character. */
const COPY_SPECIAL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One value as a column of COPY's text format (https://www.postgresql.org/docs/current/sql-copy.html, "Text
 * Format"): backslash, tab, newline and carriage return escaped, everything else (non-ASCII included) as it is, so
 * the server stores exactly the string given. JSON text holds backslashes (`\"`, `\\`, `\u0000`), which COPY would
 * otherwise read as its own escapes. With every backslash doubled, no value can read as `\N` (NULL) or `\.` (end of
 * data). A NUL character cannot be stored in PostgreSQL text at all (JSON text never holds a raw one); the server
 * refuses it here as it does in an INSERT.
 */
export function copyText(value: string): string {
  return value.replace(COPY_SPECIAL, (special) => COPY_ESCAPES[special] as string);
}

/** One row of COPY's text format: columns separated by tabs, ended by a newline. */
export function copyLine(columns: readonly string[]): string {
  return `${columns.map(copyText).join('\t')}\n`;
}

/** Characters of COPY data per statement: big enough that the per-statement cost vanishes, far below V8's limits. */
const CHARACTERS_PER_COPY = 16 * 2 ** 20;

/**
 * Runs `COPY … FROM STDIN` (text format) on `client` once per group of `lines` (each one `copyLine`) of up to
 * 16 Mi characters, and resolves with the number of rows the server copied. Each statement's data goes out as one
 * CopyData message, which the server reads whole before it parses a row: when it reports an error part-way (a unique
 * violation), only the CopyDone is left unsent, the COPY ends cleanly and the connection is ready for the caller's
 * ROLLBACK. (With many messages, pg-copy-streams could still be writing after the error, to a connection it has
 * already let go.) The caller owns the transaction.
 */
export async function copyFromLines(client: PoolClient, statement: string, lines: readonly string[]): Promise<number> {
  let copied = 0;
  for (let start = 0; start < lines.length;) {
    let end = start;
    let characters = 0;
    while (end < lines.length && (end === start || characters + (lines[end] as string).length <= CHARACTERS_PER_COPY)) {
      characters += (lines[end] as string).length;
      end += 1;
    }
    copied += await copyOnce(client, statement, lines.slice(start, end).join(''));
    start = end;
  }
  return copied;
}

async function copyOnce(client: PoolClient, statement: string, text: string): Promise<number> {
  const payload = Buffer.from(text, 'utf8');
  const stream = client.query(copyFrom(statement));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(payload);
  });
  return stream.rowCount;
}
