/**
 * Parsers of what the commands print: LVM's `--reportformat json`, losetup's
 * JSON list, tgtadm's and dmsetup's text.  Validated once here (zod); the
 * rest of the driver reads typed rows.
 */
import { z } from 'zod';

export class ParseError extends Error {
  constructor(what: string, detail: string) {
    super(`cannot read ${what}: ${detail}`);
    this.name = 'ParseError';
  }
}

const num = (what: string) =>
  z.string().transform((s, ctx) => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `${what} is not a number: "${s}"` });
      return z.NEVER;
    }
    return n;
  });
const optNum = z.string().transform((s) => (s.trim() === '' ? null : Number(s)));
const tags = z.string().transform((s) => (s === '' ? [] : s.split(',')));

function lvmReport<T extends z.ZodType>(key: string, row: T) {
  return z.object({ report: z.array(z.object({ [key]: z.array(row) })) });
}

function parseJson<T extends z.ZodType>(what: string, schema: T, text: string): z.output<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ParseError(what, `not JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new ParseError(what, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

export interface VgRow {
  name: string;
  sizeGb: number;
  freeGb: number;
  lvCount: number;
  uuid: string;
  tags: string[];
}

const vgRow = z.object({
  vg_name: z.string(),
  vg_size: num('vg_size'),
  vg_free: num('vg_free'),
  lv_count: num('lv_count'),
  vg_uuid: z.string(),
  vg_tags: tags,
});

export function parseVgs(text: string): VgRow[] {
  const r = parseJson('vgs report', lvmReport('vg', vgRow), text);
  return r.report.flatMap((p) => (p['vg'] as z.output<typeof vgRow>[]).map((v) => ({
    name: v.vg_name,
    sizeGb: v.vg_size,
    freeGb: v.vg_free,
    lvCount: v.lv_count,
    uuid: v.vg_uuid,
    tags: v.vg_tags,
  })));
}

export interface LvRow {
  vg: string;
  name: string;
  sizeGb: number;
  attr: string;
  /** Thin pools and thin LVs only. */
  dataPercent: number | null;
  origin: string;
  poolLv: string;
  tags: string[];
}

const lvRow = z.object({
  vg_name: z.string(),
  lv_name: z.string(),
  lv_size: num('lv_size'),
  lv_attr: z.string(),
  data_percent: optNum,
  origin: z.string(),
  pool_lv: z.string(),
  lv_tags: tags,
});

export function parseLvs(text: string): LvRow[] {
  const r = parseJson('lvs report', lvmReport('lv', lvRow), text);
  return r.report.flatMap((p) => (p['lv'] as z.output<typeof lvRow>[]).map((l) => ({
    vg: l.vg_name,
    name: l.lv_name,
    sizeGb: l.lv_size,
    attr: l.lv_attr,
    dataPercent: l.data_percent,
    origin: l.origin,
    poolLv: l.pool_lv,
    tags: l.lv_tags,
  })));
}

/** lv_attr's first character: 'o'/'O' an origin with snapshots, 's'/'S' a snapshot, 't' a thin pool, 'V' thin. */
export const isSnapshotOrigin = (lv: LvRow): boolean => lv.attr[0] === 'o' || lv.attr[0] === 'O';

export interface PvRow {
  name: string;
  peStartBytes: number;
  vg: string;
  extentBytes: number;
  vgTags: string[];
}

const pvRow = z.object({
  pv_name: z.string(),
  pe_start: num('pe_start'),
  vg_name: z.string(),
  vg_extent_size: optNum,
  vg_tags: tags,
});

export function parsePvs(text: string): PvRow[] {
  const r = parseJson('pvs report', lvmReport('pv', pvRow), text);
  return r.report.flatMap((p) => (p['pv'] as z.output<typeof pvRow>[]).map((v) => ({
    name: v.pv_name,
    peStartBytes: v.pe_start,
    vg: v.vg_name,
    extentBytes: v.vg_extent_size ?? 0,
    vgTags: v.vg_tags,
  })));
}

export interface Segment {
  lv: string;
  device: string;
  firstPe: number;
  lastPe: number;
}

const segRow = z.object({ lv_name: z.string(), seg_pe_ranges: z.string() });

/** `seg_pe_ranges` is `<pv>:<first>-<last>`, space-separated when a segment spans PVs. */
export function parseSegments(text: string): Segment[] {
  const r = parseJson('lvs --segments report', lvmReport('seg', segRow), text);
  return r.report.flatMap((p) =>
    (p['seg'] as z.output<typeof segRow>[]).flatMap((s) =>
      s.seg_pe_ranges.split(' ').filter((x) => x !== '').map((range) => {
        const m = /^(.+):(\d+)-(\d+)$/.exec(range);
        if (!m) throw new ParseError('lvs --segments report', `bad seg_pe_ranges "${range}"`);
        return { lv: s.lv_name, device: m[1]!, firstPe: Number(m[2]), lastPe: Number(m[3]) };
      }),
    ),
  );
}

export interface LoopRow {
  name: string;
  backFile: string;
  offset: number;
  sizelimit: number;
}

const loopList = z.object({
  loopdevices: z.array(
    z.object({
      name: z.string(),
      'back-file': z.string().nullable(),
      offset: z.union([z.number(), z.string()]).transform(Number),
      sizelimit: z.union([z.number(), z.string()]).transform(Number),
    }),
  ),
});

/** `losetup --json --list`; no output at all when no loop device is attached. */
export function parseLosetupList(text: string): LoopRow[] {
  if (text.trim() === '') return [];
  return parseJson('losetup --json --list', loopList, text).loopdevices.map((l) => ({
    name: l.name,
    backFile: l['back-file'] ?? '',
    offset: l.offset,
    sizelimit: l.sizelimit,
  }));
}

/** `tgtadm --op show --mode target`: "Target <tid>: <iqn>" heads each target. */
export function parseTgtTargets(text: string): { tid: number; iqn: string }[] {
  return [...text.matchAll(/^Target (\d+): (\S+)$/gm)].map((m) => ({ tid: Number(m[1]), iqn: m[2]! }));
}

/** `dmsetup targets`: one "<name> v<x.y.z>" per line. */
export function parseDmTargets(text: string): string[] {
  return text.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n !== '');
}

/** `df --output=avail -B1`: a header, then the number. */
export function parseDfAvail(text: string): number {
  const line = text.trim().split('\n')[1]?.trim();
  const n = Number(line);
  if (line === undefined || line === '' || !Number.isFinite(n)) throw new ParseError('df output', JSON.stringify(text));
  return n;
}

const vgNameRow = z.object({ vg_name: z.string(), vg_tags: tags });

/** `vgs -o vg_name,vg_tags`: who owns a VG. */
export function parseVgNames(text: string): { name: string; tags: string[] }[] {
  const r = parseJson('vgs report', lvmReport('vg', vgNameRow), text);
  return r.report.flatMap((p) => (p['vg'] as z.output<typeof vgNameRow>[]).map((v) => ({ name: v.vg_name, tags: v.vg_tags })));
}

/** `dmsetup ls`: "<name>\t(<major>:<minor>)" per line, or "No devices found". */
export function parseDmNames(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== 'No devices found')
    .map((l) => l.split(/\s+/)[0]!);
}
