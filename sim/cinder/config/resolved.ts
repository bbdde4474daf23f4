/**
 * Typed, resolved options as the services read them: every value the
 * registry (options.ts) declares, Cinder's default where nothing set it.
 * The cloud builder resolves what a caller sets over these; a scenario's
 * cinder.conf arrives already resolved by loadCinderConf.
 */
import {
  backendGroupOptions,
  backendOptionSpec,
  defaultGroupOptions,
  defaultOptionSpec,
  initialBackendOptions,
  initialDefaults,
  SIMULATED_NODE_IP,
  type AnyOptionValue,
  type BackendOptions,
  type DefaultOptions,
  type OptSpec,
} from './options.js';
import { substitute, type Lookup } from './substitute.js';

/** [DEFAULT] as a node's services read it. */
export type ServiceDefaults = DefaultOptions & {
  /**
   * [DEFAULT] max_over_subscription_ratio: a backend option that only the
   * scheduler reads from [DEFAULT], as the ratio of pools that report none.
   */
  max_over_subscription_ratio: string;
};

/** The options FilterScheduler reads, with Cinder's defaults. */
export const schedulerDefaults = {
  scheduler_default_filters: defaultGroupOptions.scheduler_default_filters.default,
  scheduler_default_weighers: defaultGroupOptions.scheduler_default_weighers.default,
  capacity_weight_multiplier: defaultGroupOptions.capacity_weight_multiplier.default,
  allocated_capacity_weight_multiplier: defaultGroupOptions.allocated_capacity_weight_multiplier.default,
  volume_number_multiplier: defaultGroupOptions.volume_number_multiplier.default,
  scheduler_max_attempts: defaultGroupOptions.scheduler_max_attempts.default,
} as const;

/** [DEFAULT] of a node named `hostname`: the registry's defaults with `set` over them. */
export function resolveServiceDefaults(hostname: string, set: Readonly<Partial<ServiceDefaults>> = {}): ServiceDefaults {
  const out: ServiceDefaults = { ...initialDefaults(hostname), max_over_subscription_ratio: backendGroupOptions.max_over_subscription_ratio.default };
  assignChecked(out, set, '[DEFAULT]', (name) => (name === 'max_over_subscription_ratio' ? backendOptionSpec(name) : defaultOptionSpec(name)));
  return out;
}

/**
 * A backend group's options: the registry's defaults (their oslo templates
 * resolved on a simulated node: `$my_ip`, `$state_path`) with `set` over them.
 */
export function resolveBackendOptions(set: Readonly<Partial<BackendOptions>> = {}): BackendOptions {
  const out = initialBackendOptions();
  const lookup: Lookup = (name) => {
    if (name === 'my_ip') return { kind: 'value', value: SIMULATED_NODE_IP };
    const spec = defaultOptionSpec(name) ?? backendOptionSpec(name);
    return typeof spec?.default === 'string' ? { kind: 'value', value: spec.default } : { kind: 'opaque' };
  };
  const values = out as Record<string, AnyOptionValue>;
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string' && v.includes('$')) values[k] = substitute(v, lookup).value;
  assignChecked(out, set, 'a backend group', backendOptionSpec);
  return out;
}

/** extra_capabilities as VolumeManager merges it into every pool: a JSON object (anything else: none). */
export function extraCapabilities(o: Pick<BackendOptions, 'extra_capabilities'>): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(o.extra_capabilities);
  } catch {
    return {};
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** Copy each set value, refusing names the registry does not declare for that section and values outside an option's choices. */
function assignChecked(out: object, set: object, section: string, specOf: (name: string) => OptSpec | undefined): void {
  const values = out as Record<string, unknown>;
  for (const [name, value] of Object.entries(set)) {
    if (value === undefined) continue;
    const spec = specOf(name);
    if (spec === undefined) throw new Error(`cloud spec: '${name}' is not an option of ${section} the simulator models`);
    if (spec.kind === 'str' && spec.choices !== undefined && !spec.choices.includes(String(value))) {
      throw new Error(`cloud spec: ${name} = '${String(value)}' is not valid; valid: ${spec.choices.join(', ')}`);
    }
    values[name] = value;
  }
}
