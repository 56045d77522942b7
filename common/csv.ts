/**
 * CSV as RFC 4180 writes it (and spreadsheets export it): comma-separated cells, a cell in double quotes may hold
 * commas, line breaks and doubled quotes (`""`), records end with LF or CRLF, a leading byte-order mark is dropped and
 * blank lines are skipped. Each record keeps the line it starts on, so that a refusal names the line a person sees in
 * their editor. Written here rather than taken from a CSV package: this is all the bulk intake accepts, the
 * packages report the line a record ends on, and the CLI then loads nothing more.
 *
 * A record that breaks the quoting rules is kept with its `error` and the parse goes on with the next record: one
 * bad line is refused on its own, the others still count.
 */

export interface CsvRecord {
  /** The line (1-based) the record starts on. */
  line: number;
  cells: string[];
  /** Why the record is not well-formed CSV; its cells are then not to be used. */
  error?: string;
}

export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < input.length) {
    const record: CsvRecord = { line, cells: [] };
    let cell = '';
    let quoted = false;
    let ended = false;
    while (!ended) {
      if (i >= input.length) {
        record.cells.push(cell);
        break;
      }
      const c = input[i];
      if (c === '"' && cell === '' && !quoted) {
        // A quoted cell: up to the closing quote, with "" for a quote and line breaks kept.
        quoted = true;
        const start = line;
        i++;
        for (;;) {
          if (i >= input.length) {
            record.error ??= `the quote opened on line ${start} is never closed`;
            break;
          }
          if (input[i] === '"') {
            if (input[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (input[i] === '\n') line++;
          cell += input[i++];
        }
        continue;
      }
      if (c === ',') {
        record.cells.push(cell);
        cell = '';
        quoted = false;
        i++;
        continue;
      }
      if (c === '\n' || (c === '\r' && input[i + 1] === '\n')) {
        record.cells.push(cell);
        i += c === '\r' ? 2 : 1;
        line++;
        ended = true;
        continue;
      }
      if (quoted) record.error ??= 'a quoted cell must end at its closing quote (then a comma or the end of the line)';
      else if (c === '"') record.error ??= 'a quote may only open a cell (write "" for a quote inside a quoted cell)';
      cell += c;
      i++;
    }
    const blank = record.cells.length === 1 && record.cells[0].trim() === '' && !record.error;
    if (!blank) records.push(record);
  }
  return records;
}
