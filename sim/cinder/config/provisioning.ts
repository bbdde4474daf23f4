import { finding, type Finding } from './findings.js';
import { LVM_DRIVER } from './options.js';
import type { BackendConfig, CinderConf, OptionSource } from './types.js';

/**
 * What provisioning a backend's cinder.conf puts in effect: lvm_type
 * resolved as Cinder's LVM driver resolves it, the over-subscription ratio
 * the backend reports (and so the scheduler uses) with where it was set,
 * and the reserve.  Plus the lint of the surprise behind issue 13: the
 * default lvm_type auto becomes thin on any modern LVM, and at the default
 * ratio 20.0 a backend that looks thick never fills.
 */

/** What Cinder's LVM driver looks at when lvm_type is auto (cinder/volume/drivers/lvm.py check_for_setup_error). */
export interface LvmFacts {
  /** volume_utils.supports_thin_provisioning(): lvm2 >= 2.02.95. */
  thinSupported: boolean;
  /** The VG already holds `<volume_group>-pool`. */
  thinPoolExists: boolean;
  /** The VG holds logical volumes (Cinder's or others'). */
  hasLvs: boolean;
}

/** What `conf` assumes of a host it cannot see: a current LVM and an empty volume group. */
export const ASSUMED_LVM: LvmFacts = { thinSupported: true, thinPoolExists: false, hasLvs: false };

export interface LvmTypeResolution {
  configured: string;
  effective: 'thin' | 'default';
  why: string;
}

/**
 * check_for_setup_error with lvm_type auto: 'default', then 'thin' when
 * LVM supports thin provisioning and the VG already has the thin pool or
 * holds no LV at all.  (Thin pools themselves are made from 95 % of the VG.)
 */
export function resolveLvmType(configured: string, volumeGroup: string, facts: LvmFacts): LvmTypeResolution {
  if (configured !== 'auto') return { configured, effective: configured === 'thin' ? 'thin' : 'default', why: `lvm_type ${configured} is used as set` };
  const pool = `${volumeGroup}-pool`;
  if (!facts.thinSupported) return { configured, effective: 'default', why: 'this LVM does not support thin provisioning (lvm2 < 2.02.95)' };
  if (facts.thinPoolExists) return { configured, effective: 'thin', why: `LVM supports thin provisioning and the thin pool ${pool} exists` };
  if (!facts.hasLvs) return { configured, effective: 'thin', why: `LVM supports thin provisioning and volume group ${volumeGroup} holds no LV yet (Cinder makes ${pool} from 95 % of it)` };
  return { configured, effective: 'default', why: `volume group ${volumeGroup} already holds LVs and no thin pool ${pool}` };
}

export interface BackendProvisioning {
  backend: string;
  host: string;
  /** null: not the LVM driver (its driver decides thin or thick). */
  lvm_type: (LvmTypeResolution & { source: string }) | null;
  /** 'thin' / 'thick' for LVM; null when the driver decides. */
  provisioning: 'thin' | 'thick' | null;
  max_over_subscription_ratio: { value: string; source: string };
  reserved_percentage: { value: number; source: string };
}

/** ' (over a.conf:3, b.conf:7)': the earlier files' assignments a layered value overrides. */
export function overridesText(overrides: readonly { file: string; line: number }[] | undefined): string {
  return overrides === undefined || overrides.length === 0 ? '' : ` (over ${overrides.map((o) => `${o.file}:${o.line}`).join(', ')})`;
}

/** Where an option's value came from, in words. */
export function sourceText(s: OptionSource, defaultValue: string): string {
  switch (s.kind) {
    case 'default':
      return `option default ${defaultValue}`;
    case 'file':
      return `set in [${s.section}] at ${s.file}:${s.line}${overridesText(s.overrides)}`;
    case 'hostname':
      return 'the hostname';
    case 'derived':
      return s.reason;
  }
}

/** One backend's provisioning in effect; `facts` are the host's LVM (ASSUMED_LVM unless known). */
export function backendProvisioning(b: BackendConfig, facts: LvmFacts = ASSUMED_LVM): BackendProvisioning {
  const o = b.options;
  const lvm = o.volume_driver === LVM_DRIVER ? { ...resolveLvmType(o.lvm_type, o.volume_group, facts), source: sourceText(b.sources.lvm_type, 'auto') } : null;
  return {
    backend: b.name,
    host: b.host,
    lvm_type: lvm,
    provisioning: lvm === null ? null : lvm.effective === 'thin' ? 'thin' : 'thick',
    max_over_subscription_ratio: { value: o.max_over_subscription_ratio, source: sourceText(b.sources.max_over_subscription_ratio, '20.0') },
    reserved_percentage: { value: o.reserved_percentage, source: sourceText(b.sources.reserved_percentage, '0') },
  };
}

/**
 * Surprises in effect: an LVM backend whose lvm_type auto (the default)
 * becomes thin while max_over_subscription_ratio is left at 20.0, so the
 * scheduler lets it provision 20 times its thin pool.
 */
export function lintProvisioning(conf: CinderConf, factsOf: (b: BackendConfig) => LvmFacts = () => ASSUMED_LVM): Finding[] {
  const out: Finding[] = [];
  for (const b of conf.backends) {
    const p = backendProvisioning(b, factsOf(b));
    if (p.lvm_type === null || p.lvm_type.configured !== 'auto' || p.lvm_type.effective !== 'thin') continue;
    const ratio = b.sources.max_over_subscription_ratio;
    if (ratio.kind === 'file') continue;
    const set = b.sources.lvm_type;
    const at = set.kind === 'file' ? { file: set.file, line: set.line, section: set.section } : b.group !== null ? { file: b.group.file, line: b.group.line, section: b.group.section } : { file: null, line: null };
    const said = set.kind === 'file' ? 'lvm_type = auto' : 'lvm_type (unset: auto)';
    out.push(
      finding('auto-thin-oversubscribed', {
        ...at,
        key: 'lvm_type',
        value: 'auto',
        message: `backend ${b.name}: ${said} becomes thin (${p.lvm_type.why}), and max_over_subscription_ratio is the option default ${b.options.max_over_subscription_ratio}: the scheduler accepts thin volumes up to ${b.options.max_over_subscription_ratio} times the thin pool, so this backend does not fill as a thick one would; set lvm_type = default for thick volumes, or the max_over_subscription_ratio you mean`,
      }),
    );
  }
  return out;
}
