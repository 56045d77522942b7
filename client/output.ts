import Table from 'cli-table3';
import { type CliError } from './errors';
import { printable } from './printable';

/** Where the CLI writes. Injected so that main() can run in-process (tests) as well as from bin/offboard.js. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** For `--wait` and timing; injected so that rendering is testable. */
  now: () => Date;
  /** Width of the terminal, when stdout is one; tables are fitted into it. */
  columns?: number;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  now: () => new Date(),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
};

/**
 * One command's output: human text on stdout by default; with `--json` exactly one JSON document on stdout and
 * nothing else, so that scripts can pipe it into jq. Human text is written through `printable`: nothing that came
 * from the server can send the terminal a control sequence.
 */
export class Output {
  constructor(
    private readonly io: Io,
    readonly json: boolean,
  ) {}

  /** Progress for humans while a command waits; silent in JSON mode. */
  progress(line: string): void {
    if (!this.json) this.io.stdout(`${printable(line)}\n`);
  }

  /** The command's result. */
  result(data: unknown, human: string): void {
    if (this.json) this.io.stdout(`${JSON.stringify(data, null, 2)}\n`);
    else this.io.stdout(printable(human.endsWith('\n') ? human : `${human}\n`));
  }

  error(err: CliError): void {
    if (this.json) {
      const error = { kind: err.kind, exitCode: err.exitCode, type: err.type, message: err.message, hint: err.hint };
      this.io.stdout(`${JSON.stringify({ error }, null, 2)}\n`);
    } else {
      this.io.stderr(printable(`error: ${err.message}\n${err.hint ? `${indent(err.hint, '  ')}\n` : ''}`));
    }
  }
}

export function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => (l ? prefix + l : l))
    .join('\n');
}

/** Tables are fitted into this width when stdout is not a terminal (logs, pipes, CI). */
const DEFAULT_WIDTH = 160;
let tableWidth = DEFAULT_WIDTH;

/** Set once per command from the terminal's width. */
export function setTableWidth(columns: number | undefined): void {
  tableWidth = Math.max(60, columns ?? DEFAULT_WIDTH);
}

/**
 * Column widths that fit the table into the width: natural widths, then the widest columns are narrowed together
 * (their cells wrap) until the table fits, so that no one column is squeezed while others keep their room. Each
 * width includes the cell's padding; the borders take one more per column.
 */
function fitWidths(head: string[], rows: string[][], width: number): number[] {
  const widths = head.map((h, i) =>
    Math.max(...[h, ...rows.map((r) => r[i] ?? '')].flatMap((c) => c.split('\n')).map((l) => l.length + 2)),
  );
  const budget = width - (head.length + 1);
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    const widest = Math.max(...widths);
    if (widest <= 12) break; // too many columns to fit: let the terminal wrap
    widths[widths.indexOf(widest)] -= 1;
    total -= 1;
  }
  return widths;
}

/** A plain table (no colours: output is read in terminals, logs and CI alike). */
export function table(head: string[], rows: Array<Array<string | number | undefined>>): string {
  const cells = rows.map((row) => row.map((c) => (c === undefined ? '' : String(c))));
  const t = new Table({
    head,
    style: { head: [], border: [] },
    colWidths: fitWidths(head, cells, tableWidth),
    wordWrap: true,
    wrapOnWordBoundary: true,
  });
  for (const row of cells) t.push(row);
  return t.toString();
}

/** Two-column key/value block without borders, for the header of `status`. */
export function fields(pairs: Array<[string, string | undefined]>): string {
  const t = new Table({
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: ' ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const [k, v] of pairs) if (v !== undefined && v !== '') t.push([`${k}:`, v]);
  return t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/** `2030-01-31 09:00:00 UTC (3 min ago)`: absolute for the record, relative for the reader. */
export function formatTime(iso: string | undefined, now: Date): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const abs = `${t.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return `${abs} (${relative(t.getTime() - now.getTime())})`;
}

function relative(deltaMs: number): string {
  const future = deltaMs > 0;
  const s = Math.round(Math.abs(deltaMs) / 1000);
  const text =
    s < 60
      ? `${s} s`
      : s < 3600
        ? `${Math.round(s / 60)} min`
        : s < 172_800
          ? `${Math.round(s / 3600)} h`
          : `${Math.round(s / 86_400)} days`;
  if (s < 2) return 'just now';
  return future ? `in ${text}` : `${text} ago`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
