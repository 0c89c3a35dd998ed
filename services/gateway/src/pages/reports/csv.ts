import type { Table } from './presenter';

/**
 * A table as CSV for a spreadsheet: UTF-8 with a byte order mark (Excel otherwise reads it as
 * the local code page and mangles "Résolu"), `;` between cells (what Excel expects in French,
 * the desk's first language, where `,` is the decimal separator: "83,3 %" stays one cell),
 * CRLF line ends (RFC 4180). A cell that starts like a formula (= + - @) gets a leading `'` so
 * that a request type's label never runs as one in the spreadsheet.
 */
export function csvOf(table: Table): string {
  const cell = (v: string) => {
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[;"\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return `\uFEFF${[table.headers, ...table.rows].map((r) => r.map(cell).join(';')).join('\r\n')}\r\n`;
}

/** The CSV's rows back as cells (for tests and for whoever checks a download against the page). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  const endRow = () => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && body[i + 1] === '\n') {
      endRow();
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}
