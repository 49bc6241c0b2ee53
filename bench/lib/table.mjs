// The one table `npm run bench` prints: figure | measured | baseline | ratio | budget | verdict.

const HEADERS = ['figure', 'measured', 'baseline', 'ratio', 'budget', 'verdict'];

export function renderTable(rows) {
  const cells = rows.map((row) => [row.figure, row.measured, row.baseline, row.ratio, row.budget, row.verdict ?? 'info']);
  const widths = HEADERS.map((header, i) => Math.max(header.length, ...cells.map((row) => String(row[i]).length)));
  const line = (values) => `| ${values.map((value, i) => String(value).padEnd(widths[i])).join(' | ')} |`;
  return [line(HEADERS), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export const verdict = (met) => (met ? 'met' : 'MISSED');

export function fmt(value, digits = 2) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const bytes = (value) => `${Math.round(value).toLocaleString('en-US')} B`;
export const ms = (value, digits = 1) => `${fmt(value, digits)} ms`;
export const us = (value, digits = 2) => `${fmt(value, digits)} µs`;
