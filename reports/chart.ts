import asciichart from 'asciichart';
import { formatDuration } from '../sim/scenario/duration.js';
import type { RunOutcome } from '../sim/scenario/outcome.js';
import { capacityCharts, chartGroupings, endMs, endSummary, spanText, uniformPoints, type CapacityChart, type ChartBy } from './capacity-series.js';
import { REPORT_SCHEMA_VERSION, type Renderer, type RunReport } from './types.js';

/** capacity.txt's width in columns (labels, axis and plot); fixed, so the file is the same on every terminal. */
const FILE_WIDTH = 80;
const HEIGHT = 10;
/** Width of the y-axis labels ("  1234.5"). */
const LABEL_WIDTH = 9;

/** Capacity over time per pool, per zone and per volume type, per scenario. */
export const chartReport: Renderer = {
  file: 'capacity.txt',
  describe: 'charts of used, provisioned and usable-limit capacity over virtual time, per pool, availability zone and volume type',
  render(report: RunReport): string {
    const out = [`cinder-sim report chart v${REPORT_SCHEMA_VERSION} (seed ${report.seed})`, '', ...legendLines(false, FILE_WIDTH)];
    for (const o of report.outcomes) out.push('', ...scenarioCharts(o, { width: FILE_WIDTH, color: false }));
    return out.join('\n') + '\n';
  },
};

export interface ChartStyle {
  /** Total width in columns. */
  width: number;
  /** ANSI colours (a terminal only). */
  color: boolean;
  /** Only these groupings (default: all three). */
  by?: readonly ChartBy[];
  height?: number;
}

/** The three lines, each in its own glyphs (told apart without colour) and colour. */
const lines = {
  limit: { symbols: ['┼', '┤', '╶', '╴', '═', '╚', '╔', '╗', '╝', '║'], color: asciichart.red, glyph: '═' },
  used: { symbols: ['┼', '┤', '╶', '╴', '━', '┗', '┏', '┓', '┛', '┃'], color: asciichart.yellow, glyph: '━' },
  provisioned: { symbols: ['┼', '┤', '╶', '╴', '─', '╰', '╭', '╮', '╯', '│'], color: asciichart.cyan, glyph: '─' },
} as const;
type LineName = keyof typeof lines;
/** Drawn in this order, the later over the earlier where two meet. */
const order: readonly LineName[] = ['used', 'provisioned', 'limit'];

const paint = (text: string, name: LineName, color: boolean): string => (color ? lines[name].color + text + asciichart.reset : text);

/** What each line's glyph means (the same for every chart). */
export function legendLines(color: boolean, width = FILE_WIDTH): string[] {
  const key = (n: LineName, label: string): string => `${paint(lines[n].glyph.repeat(3), n, color)} ${label}`;
  const keys = [key('used', 'used'), key('provisioned', 'provisioned'), key('limit', 'usable limit (CapacityFilter)')];
  // Measured without colour: the escape codes take no columns.
  const oneLine = `legend: ${'xxx used   xxx provisioned   xxx usable limit (CapacityFilter)'}`;
  const [first, ...rest] = [
    oneLine.length <= width ? `legend: ${keys.join('   ')}` : ['legend:', ...keys.map((k) => `  ${k}`)].join('\n'),
    '  thick pool: limit = total - reserved (reserved_percentage of total, rounded down): what provisioned capacity may reach',
    '  thin pool:  limit = (total - reserved) x max_over_subscription_ratio: provisioned + a new volume must stay within it',
    '  where lines meet, the limit is drawn over provisioned and provisioned over used',
    '  time runs left to right in virtual time; each chart names what its lines sum up',
  ];
  return [...first!.split('\n'), ...rest.flatMap((l) => wrap(l.trimStart(), width, '  ', '    '))];
}

/** Every chart of one scenario. */
export function scenarioCharts(o: RunOutcome, style: ChartStyle): string[] {
  if (o.capacity.length === 0) return [`== ${o.scenario}: no capacity samples`];
  const out = wrap(`== ${o.scenario}: capacity over ${spanText(o)}`, style.width, '', '   ');
  const plotWidth = Math.max(10, style.width - LABEL_WIDTH - 2);
  const grid = uniformPoints(endMs(o), plotWidth);
  for (const by of style.by ?? chartGroupings) {
    const charts = capacityCharts(o, by, { grid });
    if (charts.length === 0) {
      out.push('', `-- no ${by === 'type' ? 'volume type held a volume' : by === 'az' ? 'zone' : 'pool'}`);
      continue;
    }
    for (const c of charts) out.push('', ...chartLines(c, endMs(o), style));
  }
  return out;
}

/** One chart: title, plot, time axis, notes. */
export function chartLines(c: CapacityChart, end: number, style: ChartStyle): string[] {
  const out = wrap(`-- ${c.title}`, style.width, '', '   ');
  const all = order.flatMap((n) => c[n].values).filter((v): v is number => v !== null);
  if (all.length === 0) return [...out, '   (no values)'];
  const min = Math.min(0, ...all);
  const max = Math.max(...all);
  const height = style.height ?? HEIGHT;
  const decimals = max - min < height * 2 ? 1 : 0;
  const format = (x: number): string => x.toFixed(decimals).padStart(LABEL_WIDTH - 1) + ' ';
  const cfg = { min, max, height, offset: 2, format } as const;
  const grids = order.map((n) => {
    const v = c[n].values;
    const shown = v.some((x) => x !== null) ? v.map((x) => x ?? min) : null;
    return { n, v, rows: shown ? asciichart.plot(shown, { ...cfg, symbols: [...lines[n].symbols] }).split('\n') : null };
  });
  const base = asciichart.plot(c.t.map(() => min), cfg).split('\n');
  // Plot columns start after the label and the axis; column x draws the step from point x to x + 1.
  const start = LABEL_WIDTH + 1;
  for (let r = 0; r < base.length; r++) {
    let row = base[r]!.slice(0, start);
    for (let x = 0; x < c.t.length - 1; x++) {
      let ch = ' ';
      let who: LineName | null = null;
      for (const g of grids) {
        if (!g.rows || g.v[x] === null || g.v[x + 1] === null) continue;
        const k = g.rows[r]![start + x] ?? ' ';
        if (k !== ' ') {
          ch = k;
          who = g.n;
        }
      }
      row += who ? paint(ch, who, style.color) : ch;
    }
    out.push(row.trimEnd());
  }
  out.push(...timeAxis(c.t.length - 1, end, start, style.width));
  for (const n of [...order].reverse().filter((k) => c[k].values.some((v) => v !== null))) {
    // Wrapped without colour (escape codes take no columns), then the glyph painted.
    const [head, ...more] = wrap(`${lines[n].glyph} ${c[n].label}`, style.width, '   ', '     ');
    out.push(`   ${paint(lines[n].glyph, n, style.color)}${head!.slice(4)}`, ...more);
  }
  for (const n of [endSummary(c), ...c.notes]) out.push(...wrap(n, style.width, '   ', '     '));
  return out;
}

/** Words of `text` in lines of at most `width` columns (a longer word stands alone). */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && line.length + 1 + word.length > width) {
      out.push(line);
      line = rest + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  out.push(line);
  return out;
}

/** Nice tick steps for the time axis. */
const TICK_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000, 7776000, 31536000].map((s) => s * 1000);

/**
 * `└┬────┬──` with formatDuration labels under the ticks: `cols` plot
 * columns, column x at time end x / cols.  Nothing passes `width` columns
 * (default: the axis's own): a label that would run past the axis ends at
 * its tick instead, and the axis's name goes on a line of its own when the
 * labels leave it no room.
 */
export function timeAxis(cols: number, end: number, indent: number, width = indent + cols): string[] {
  const colOf = (t: number): number => Math.min(cols - 1, Math.round((t / end) * cols));
  const labelRoom = Math.max(6, formatDuration(end).length + 2);
  const want = Math.max(1, Math.floor(cols / (labelRoom + 4)));
  const step = TICK_STEPS_MS.find((s) => end / s <= want) ?? TICK_STEPS_MS[TICK_STEPS_MS.length - 1]!;
  const axis = new Array<string>(cols).fill('─');
  const labels = new Array<string>(cols).fill(' ');
  let free = 0;
  for (let t = 0; t <= end; t += step) {
    const x = colOf(t);
    const text = formatDuration(t);
    const at = Math.min(x, cols - text.length);
    if (at < free) continue;
    axis[x] = '┬';
    for (let i = 0; i < text.length; i++) labels[at + i] = text[i]!;
    free = at + text.length + 1;
  }
  const labelLine = (' '.repeat(indent) + labels.join('')).trimEnd();
  const name = `(virtual time, 0s .. ${formatDuration(end)})`;
  const named = `${labelLine}   ${name}`;
  return [' '.repeat(indent - 1) + '└' + axis.join(''), ...(named.length <= width ? [named] : [labelLine, `   ${name}`])];
}
