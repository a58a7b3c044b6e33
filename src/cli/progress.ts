import { Format, MultiBar, type Options, type Params, type SingleBar } from 'cli-progress';
import { printable, type Stream } from './output';

type Outcome = 'replayed' | 'skipped' | 'failed';

type Counts = Record<Outcome, number>;

/** Cells of the bar on a wide terminal; on a narrow one it gives way, down to 10, so the counts stay whole. */
const BAR_CELLS = 30;

/** `[#####-----] 12/40 replayed 11, skipped 1` (and `, failed n` once something failed), as wide as the terminal allows. */
function formatLine(options: Options, params: Params, counts: Counts): string {
  const tail = `${params.value}/${params.total} replayed ${counts.replayed}, skipped ${counts.skipped}${counts.failed > 0 ? `, failed ${counts.failed}` : ''}`;
  // One column spare: a line that fills the last column leaves some terminals wrapping, and the redraw then
  // lands on the next line.
  const barsize = Math.max(10, Math.min(BAR_CELLS, params.maxWidth - 1 - `[] ${tail}`.length));
  return `[${Format.BarFormat(params.progress, { ...options, barsize })}] ${tail}`;
}

/**
 * Progress of a replay on stderr: a bar redrawn in place on a terminal (cli-progress); one line per delivery
 * otherwise (CI logs, pipes), so the log says what happened to each.
 */
export class Progress {
  private readonly counts: Counts = { replayed: 0, skipped: 0, failed: 0 };
  private done = 0;
  private terminal?: { bars: MultiBar; bar: SingleBar };

  constructor(
    private readonly stream: Stream,
    private readonly total: number,
  ) {}

  start(): void {
    if (!this.stream.isTTY || this.terminal) return;
    const bars = new MultiBar({
      // cli-progress only writes to the stream and reads isTTY and columns, so the CLI's Output (which masks
      // secrets) stands in for a Node stream; its `controls` pass the bar's redraw sequences, which it would escape.
      stream: (this.stream.controls ?? this.stream) as unknown as NodeJS.WritableStream,
      format: (options, params, payload: Counts) => formatLine(options, params, payload),
      barsize: BAR_CELLS,
      barCompleteChar: '#',
      barIncompleteChar: '-',
      // Not the default (line wrapping switched off until stop()): a second Ctrl-C exits at once and would leave
      // the user's terminal that way. formatLine fits the line anyway; this only trims.
      linewrap: true,
      // Redraw even when the counts did not change: after a note() the bar is to be drawn again below it.
      forceRedraw: true,
      // The CLI's own Ctrl-C handling decides when the bar stops (the first press only stops new replays).
      gracefulExit: false,
    });
    const bar = bars.create(this.total, 0, { ...this.counts });
    this.terminal = { bars, bar };
    bars.update(); // the first frame now, not a frame later
  }

  /** One delivery is settled; `line` says what happened to it (shown as is when not on a terminal). */
  record(outcome: Outcome, line: string): void {
    this.counts[outcome]++;
    this.done++;
    if (this.terminal) this.terminal.bar.update(this.done, { ...this.counts });
    else if (!this.stream.isTTY) this.stream.write(`[${this.done}/${this.total}] ${line}\n`);
  }

  /** A message that must not be drawn over by the bar. */
  note(text: string): void {
    if (!this.terminal) {
      this.stream.write(`${text}\n`);
      return;
    }
    this.terminal.bars.log(`${printable(text)}\n`);
    // log() only queues the text for the next frame, and stop() drops what is queued: write it now.
    this.terminal.bars.update();
  }

  /** The last frame, and the cursor on the line below it. */
  finish(): void {
    this.terminal?.bars.stop();
    this.terminal = undefined;
  }
}
