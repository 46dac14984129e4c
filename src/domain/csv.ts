/**
 * CSV as spreadsheets read it (RFC 4180): fields quoted where they hold a comma, a quote or a line
 * break, quotes doubled, CRLF between records, and a UTF-8 byte-order mark first so Excel reads
 * Indonesian names and emoji as UTF-8. Pure.
 */

/** Excel takes a file starting with it as UTF-8 rather than the machine's code page. */
export const UTF8_BOM = '\uFEFF';

/**
 * A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"): a
 * customer naming themselves `=HYPERLINK(…)` would run in the admin's Excel. Such a cell gets a
 * leading apostrophe, which spreadsheets show as text and do not display.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A phone number in international form (`+6281234567890`) is a plain number to a spreadsheet, never a formula: kept as written. */
const PHONE = /^\+\d{6,15}$/;

export function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  // Numbers we write ourselves are never formulas, negative ones included.
  let s = typeof value === 'number' ? String(value) : value;
  if (typeof value === 'string' && FORMULA_START.test(s) && !PHONE.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRecord(values: readonly (string | number | undefined | null)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
