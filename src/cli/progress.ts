import type { Stream } from './output';

type Outcome = 'replayed' | 'skipped' | 'failed';

interface Counts {
  total: number;
  replayed: number;
  skipped: number;
  failed: number;
}

/** `[#####-----] 12/40 replayed 11, skipped 1` (and `, failed n` once something failed). */
export function renderBar(counts: Counts, width = 30): string {
  const done = counts.replayed + counts.skipped + counts.failed;
  const filled = counts.total === 0 ? width : Math.min(width, Math.floor((done / counts.total) * width));
  const tail = `${done}/${counts.total} replayed ${counts.replayed}, skipped ${counts.skipped}${counts.failed > 0 ? `, failed ${counts.failed}` : ''}`;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${tail}`;
}

/**
 * Progress of a replay on stderr: a bar redrawn in place on a terminal; one line per delivery otherwise (CI logs,
 * pipes), so the log says what happened to each.
 */
export class Progress {
  private readonly counts: Counts;
  private done = 0;
  private drawn = false;

  constructor(
    private readonly stream: Stream,
    total: number,
  ) {
    this.counts = { total, replayed: 0, skipped: 0, failed: 0 };
  }

  get snapshot(): Readonly<Counts> {
    return { ...this.counts };
  }

  start(): void {
    if (this.stream.isTTY) this.draw();
  }

  /** One delivery is settled; `line` says what happened to it (shown as is when not on a terminal). */
  record(outcome: Outcome, line: string): void {
    this.counts[outcome]++;
    this.done++;
    if (this.stream.isTTY) this.draw();
    else this.stream.write(`[${this.done}/${this.counts.total}] ${line}\n`);
  }

  /** A message that must not be drawn over by the bar. */
  note(text: string): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(`${text}\n`);
    if (this.stream.isTTY && this.drawn) this.draw();
  }

  finish(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  private draw(): void {
    const columns = this.stream.columns || 80; // 0 when the terminal size is unknown
    const text = renderBar(this.counts, 30);
    const width = Math.max(10, Math.min(30, 30 - (text.length - columns + 1)));
    this.stream.write(`\r\x1b[2K${renderBar(this.counts, width)}`);
    this.drawn = true;
  }
}
