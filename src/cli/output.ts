/** Where the CLI writes: stdout for results, stderr for progress and messages. */
export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  /** The same stream for the CLI's own terminal control sequences (the progress bar's redraws), not escaped. */
  controls?: Stream;
}

/**
 * What a terminal would act on rather than show: C0 controls, DEL, C1 controls (U+009B is a one-character CSI), the
 * line and paragraph separators, and the bidirectional marks, embeddings, overrides and isolates, which reorder the
 * text after them on screen.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const UNPRINTABLE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/**
 * `text` with every character a terminal would act on written out as an escape (`\x1b`, `\u202e`), so what events
 * carry (names, ids, error messages quoting them) is shown, never obeyed. Newlines too: a cell is one line.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * A stream that masks the given secrets in everything written to it, and shows control characters as escapes (see
 * printable; line breaks pass). The commands never print the token and escape what came from events themselves; this
 * is the second line of defence (an error message echoing a URL, a header, or an event's name, say).
 */
export class Output implements Stream {
  private readonly secrets: string[] = [];

  constructor(private readonly stream: Stream) {}

  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  get columns(): number | undefined {
    return this.stream.columns;
  }

  hide(secret: string): void {
    if (secret.length >= 4) this.secrets.push(secret);
  }

  write(text: string): void {
    this.stream.write(this.masked(text.split('\n').map(printable).join('\n')));
  }

  get controls(): Stream {
    const { stream } = this;
    return {
      write: (text: string) => stream.write(this.masked(text)),
      get isTTY() {
        return stream.isTTY === true;
      },
      get columns() {
        return stream.columns;
      },
    };
  }

  private masked(text: string): string {
    let safe = text;
    for (const s of this.secrets) safe = safe.split(s).join('********');
    return safe;
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }
}

/** Columns padded to their widest cell; the last column is not padded. Cells are shown as printable text. */
export function table(header: string[], cells: string[][]): string {
  const rows = cells.map((row) => row.map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)].join('\n') + '\n';
}
