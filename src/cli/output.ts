/** Where the CLI writes: stdout for results, stderr for progress and messages. */
export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * A stream that masks the given secrets in everything written to it. The commands never print the token; this is
 * the second line of defence (an error message echoing a URL or a header, say).
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
    let safe = text;
    for (const s of this.secrets) safe = safe.split(s).join('********');
    this.stream.write(safe);
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)].join('\n') + '\n';
}
