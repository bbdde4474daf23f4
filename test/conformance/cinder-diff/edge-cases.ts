import type { JsonObject, JsonValue } from './generate.js';

/**
 * Hand-written cases on the rules' edges; ids name the family of rules they
 * probe (s1 .. s10), the case format's defaults (default-*) or the finding they
 * reproduce (found-*).  Cinder decides them in the test; nothing here states
 * an expected answer.
 */

type Caps = JsonObject;

function legacy(host: string, caps: Caps, extra: JsonObject = {}): JsonObject {
  return { host, capabilities: { volume_backend_name: host.split('@')[1] ?? host, ...caps }, ...extra };
}

function pooled(host: string, pools: Caps[], caps: Caps = {}, extra: JsonObject = {}): JsonObject {
  return { host, capabilities: { volume_backend_name: host.split('@')[1] ?? host, ...caps, pools }, ...extra };
}

const thick = (total: JsonValue, free: JsonValue, more: Caps = {}): Caps => ({ total_capacity_gb: total, free_capacity_gb: free, ...more });
const thin = (total: JsonValue, free: JsonValue, ratio: JsonValue | undefined, more: Caps = {}): Caps => ({
  total_capacity_gb: total,
  free_capacity_gb: free,
  thin_provisioning_support: true,
  ...(ratio === undefined ? {} : { max_over_subscription_ratio: ratio }),
  ...more,
});

function vt(specs: Record<string, string>, name = 't'): JsonObject {
  return { name, extra_specs: specs };
}

/** A small fleet every extra-spec case runs against. */
const SPEC_FLEET: JsonObject[] = [
  legacy('a@iscsi', thick(1000, 900, { storage_protocol: 'iSCSI', vendor_name: 'Open Source', tier: 'gold', iops: 3000, QoS_support: 'True', multiattach: true, nested: { raid: 'r10', disks: 12 }, version: '2.10' })),
  legacy('b@fc', thick(1000, 800, { storage_protocol: 'fibre_channel', vendor_name: 'Acme', tier: 'silver', iops: '3000', QoS_support: false, multiattach: false, nested: 'flat', version: '2.9' })),
  pooled('c@pool', [
    { pool_name: 'p1', ...thin(500, 400, 2.0), tier: 'Gold', iops: 25000.5, storage_protocol: 'nvmeof' },
    { pool_name: 'p2', ...thick(500, 450), tier: 'gold plus', compression: true },
  ], { storage_protocol: 'NFS', vendor_name: 'NetApp', backend_only_key: 'x', multiattach: true }),
];

const SPECS: [string, Record<string, string>][] = [
  ['plain-string', { tier: 'gold' }],
  ['plain-bool-vs-string', { multiattach: 'True' }],
  ['plain-number-vs-string', { iops: '3000' }],
  ['capabilities-prefix', { 'capabilities:tier': 'silver' }],
  ['scoped-ignored', { 'RESKEY:availability_zones': 'nowhere', 'provisioning:type': 'thin' }],
  ['nested', { 'capabilities:nested:raid': 'r10' }],
  ['nested-into-non-dict', { 'nested:raid': 'r10' }],
  ['missing-key', { no_such_key: 'x' }],
  ['backend-key-hidden-in-pools', { backend_only_key: 'x' }],
  ['protocol-variants', { storage_protocol: 'iscsi' }],
  ['protocol-fc-variant', { storage_protocol: 'FC' }],
  ['op-eq-is-ge', { iops: '= 3000' }],
  ['op-numeric-eq', { iops: '== 3000.0' }],
  ['op-numeric-ne', { iops: '!= 3000' }],
  ['op-numeric-ge-inf', { iops: '>= inf' }],
  ['op-numeric-le-underscore', { iops: '<= 3_001' }],
  ['op-numeric-nan', { iops: '== nan' }],
  ['op-numeric-bool', { multiattach: '== 1' }],
  ['op-numeric-bad-operand', { iops: '>= lots' }],
  ['op-numeric-no-operand', { iops: '>=' }],
  ['op-is-true', { QoS_support: '<is> True' }],
  ['op-is-yes', { multiattach: '<is> yes' }],
  ['op-is-false', { QoS_support: '<is> False' }],
  ['op-in-substring', { tier: '<in> old' }],
  ['op-in-dict', { nested: '<in> raid' }],
  ['op-or', { tier: '<or> silver <or> Gold' }],
  ['op-or-odd', { tier: '<or> gold silver <or>' }],
  ['op-s-eq-first-word', { vendor_name: 's== Open Source' }],
  ['op-s-ne', { tier: 's!= gold' }],
  ['op-s-lt', { version: 's< 2.5' }],
  ['op-s-ge', { tier: 's>= gold' }],
  ['op-s-eq-non-string', { iops: 's== 3000' }],
  ['op-s-ne-non-string', { multiattach: 's!= True' }],
  ['several-specs', { tier: '<or> gold <or> silver', 'capabilities:multiattach': '<is> True', iops: '>= 3000' }],
];

const CRASH_SPECS: [string, Record<string, string>][] = [
  ['s10-op-in-number', { iops: '<in> 30' }],
  ['s10-op-s-lt-number', { iops: 's< 5' }],
  ['s10-op-or-empty', { tier: '<or>' }],
];

function specCases(): JsonObject[] {
  return [...SPECS, ...CRASH_SPECS].map(([id, specs]) => ({
    id: id.startsWith('s10') ? id : `s6-${id}`,
    backends: SPEC_FLEET,
    request: { size: 10, volume_type: vt(specs), volume_id: 'vol-spec' },
  }));
}

const FLEET: JsonObject[] = [
  legacy('n1@thick', thick(1000, 600, { allocated_capacity_gb: 400, reserved_percentage: 10, storage_protocol: 'iSCSI' }), { volume_count: 7 }),
  legacy('n2@thin15', thin(500, 400, 1.5, { provisioned_capacity_gb: 600, allocated_capacity_gb: 100 }), { volume_count: 3 }),
  legacy('n3@thin20', thin(1000, 100, '2.0', { provisioned_capacity_gb: 1500, allocated_capacity_gb: 900, reserved_percentage: 5 }), { availability_zone: 'az2' }),
  legacy('n4@ceph', thin('infinite', 'infinite', null)),
  legacy('n5@nfs', thick('unknown', 'unknown')),
  pooled('n6@pooled', [
    { pool_name: 'gold', ...thin(2000, 1500.5, 'auto', { allocated_capacity_gb: 500, reserved_percentage: 15 }), volume_count: 4 },
    { pool_name: 'silver', ...thick(800, 700, { allocated_capacity_gb: 100 }), volume_count: 1 },
  ], {}, { availability_zone: 'az2' }),
];

function fleetCase(id: string, request: JsonObject, config?: JsonObject, backends: JsonObject[] = FLEET): JsonObject {
  return { id, backends, request, ...(config ? { config } : {}) };
}

const capacityCases: JsonObject[] = [
  fleetCase('s4-default', { size: 100, volume_id: 'v' }),
  fleetCase('s4-thick-request', { size: 100, volume_type: vt({ 'provisioning:type': 'thick' }) }),
  fleetCase('s4-thick-request-case-sensitive', { size: 100, volume_type: vt({ 'provisioning:type': 'Thick' }) }),
  fleetCase('s4-huge', { size: 100000, volume_id: 'big' }),
  fleetCase('s4-manage-zero', { size: 0 }),
  fleetCase('s4-float-size', { size: 10.5 }),
  fleetCase('s4-exact-fit-thick', { size: 540 }, { filters: ['CapacityFilter'] }, [legacy('x@e', thick(600, 540))]),
  fleetCase('s4-one-over-thick', { size: 541 }, { filters: ['CapacityFilter'] }, [legacy('x@e', thick(600, 540))]),
  fleetCase('s4-reserved-floor', { size: 90 }, { filters: ['CapacityFilter'] }, [legacy('x@r', thick(99, 99, { reserved_percentage: 9 }))]),
  fleetCase('s4-ratio-exactly-reached', { size: 100 }, { filters: ['CapacityFilter'] }, [legacy('x@t', thin(100, 100, 2, { provisioned_capacity_gb: 100 }))]),
  fleetCase('s4-ratio-just-over', { size: 101 }, { filters: ['CapacityFilter'] }, [legacy('x@t', thin(100, 100, 2, { provisioned_capacity_gb: 100 }))]),
  fleetCase('s4-ratio-below-one', { size: 1 }, undefined, [legacy('x@t', thin(100, 100, 0.5))]),
  fleetCase('s4-ratio-string-zero', { size: 1 }, undefined, [legacy('x@t', thin(100, 100, '0'))]),
  fleetCase('s4-ratio-zero-uses-global', { size: 1 }, { max_over_subscription_ratio: '1.5' }, [legacy('x@t', thin(100, 100, 0, { provisioned_capacity_gb: 140 }))]),
  fleetCase('s2-auto-provisioned-zero', { size: 50 }, undefined, [legacy('x@t', thin(100, 100, 'auto', { provisioned_capacity_gb: 0 })), legacy('y@t', thin(100, 50, 'auto', { provisioned_capacity_gb: 120 }))]),
  fleetCase('s2-auto-global', { size: 50 }, { max_over_subscription_ratio: 'auto' }, [legacy('x@t', thin(100, 60, undefined, { provisioned_capacity_gb: 300 }))]),
  fleetCase('s2-thin-support-string-false', { size: 150 }, undefined, [legacy('x@t', thin(100, 100, 2, { thin_provisioning_support: 'False' }))]),
  fleetCase('s4-infinite-total-reserved', { size: 1 }, undefined, [legacy('x@i', thick('infinite', 10, { reserved_percentage: 5 })), legacy('y@u', thick('unknown', 10))]),
  fleetCase('s4-free-null', { size: 1 }, undefined, [legacy('x@n', thick(10, null)), legacy('y@n', thick(10, 5))]),
  fleetCase('s4-total-zero', { size: 1 }, undefined, [legacy('x@z', thick(0, 10))]),
  fleetCase('s4-free-over-total', { size: 50 }, undefined, [legacy('x@o', thick(100, 150, { allocated_capacity_gb: 20 }))]),
  fleetCase('s3-rounding', { size: 1 }, { filters: [] }, [
    legacy('x@a', thick(333.335, 200.005, { reserved_percentage: 3 })),
    legacy('y@b', thin(0.07, 0.07, 1.1)),
    legacy('z@c', thin(2.675, 2.675, 1)),
  ]),
  fleetCase('s10-reserved-100-thin', { size: 1 }, undefined, [legacy('x@r', thin(100, 100, 20, { reserved_percentage: 100 }))]),
  fleetCase('s4-reserved-100-thick', { size: 1 }, undefined, [legacy('x@r', thick(100, 100, { reserved_percentage: 100 }))]),
];

const evaluatorCases: JsonObject[] = [
  fleetCase('s9-driver-filter-and-goodness', { size: 150, volume_type: vt({ tier: 'gold' }) }, { filters: ['DriverFilter'], weighers: ['GoodnessWeigher'] }, [
    legacy('a@x', thick(1000, 900, { filter_function: 'volume.size < 100', goodness_function: '80' })),
    legacy('b@x', thick(1000, 800, { filter_function: "extra.tier == 'gold'", goodness_function: 'stats.free_capacity_gb / 10' })),
    legacy('c@x', thick(1000, 700, { filter_function: 'capabilities.nested > 1', nested: { a: 1 } })),
    pooled('d@x', [
      { pool_name: 'p1', ...thick(500, 400), iops: 7.5, filter_function: 'capabilities.iops > 7', goodness_function: '-5' },
      { pool_name: 'p2', ...thick(500, 300), iops: '3000' },
    ], { storage_protocol: 'iSCSI', filter_function: "stats.storage_protocol == 'iscsi'", goodness_function: 'capabilities.iops / 100' }),
  ]),
];

const weighCases: JsonObject[] = [
  fleetCase('s7-all-weighers', { size: 10 }, { weighers: ['CapacityWeigher', 'AllocatedCapacityWeigher', 'VolumeNumberWeigher'] }),
  fleetCase('s7-negative-capacity-multiplier', { size: 10 }, { capacity_weight_multiplier: -1 }),
  fleetCase('s7-zero-capacity-multiplier', { size: 10 }, { capacity_weight_multiplier: 0 }),
  fleetCase('s7-allocated-stacking', { size: 10 }, { weighers: ['AllocatedCapacityWeigher'], allocated_capacity_weight_multiplier: 1 }),
  fleetCase('s7-volume-number', { size: 10 }, { weighers: ['VolumeNumberWeigher'], volume_number_multiplier: -2.5 }),
  fleetCase('s7-ties-stable', { size: 10 }, { weighers: ['AllocatedCapacityWeigher'] }, [legacy('a@x', thick(100, 50)), legacy('b@x', thick(200, 50)), legacy('c@x', thick(300, 50))]),
  fleetCase('s10-only-infinite-negative', { size: 10 }, { capacity_weight_multiplier: -1 }, [FLEET[3]!, FLEET[4]!]),
  fleetCase('s7-only-infinite-positive', { size: 10 }, undefined, [FLEET[3]!, FLEET[4]!]),
  fleetCase('s7-one-finite-and-infinite', { size: 10 }, { capacity_weight_multiplier: -1 }, [FLEET[0]!, FLEET[3]!]),
  fleetCase('s7-thin-virtual-free-negative', { size: 1 }, { filters: [] }, [legacy('a@x', thin(100, 90, 1, { provisioned_capacity_gb: 500 })), legacy('b@x', thick(100, 90))]),
];

const azAndHostCases: JsonObject[] = [
  fleetCase('s5-az', { size: 10, availability_zone: 'az2' }),
  fleetCase('s5-az-list-wins', { size: 10, availability_zone: 'nova', availability_zones: ['az2', 'zz'] }),
  fleetCase('s5-az-unknown', { size: 10, availability_zone: 'nope' }),
  fleetCase('s1-disabled-frozen-down-never', { size: 10 }, undefined, [
    legacy('d@x', thick(100, 100), { disabled: true }),
    legacy('f@x', thick(100, 100), { frozen: true }),
    legacy('u@x', thick(100, 100), { service_up: false }),
    { host: 'n@x', capabilities: null },
    legacy('ok@x', thick(100, 90)),
  ]),
  fleetCase('s1-first-reporter-order', { size: 10 }, { weighers: ['AllocatedCapacityWeigher'] }, [
    { host: 'n@x', capabilities: null },
    legacy('b@x', thick(100, 90)),
    legacy('a@x', thick(100, 90)),
  ]),
  fleetCase('s1-legacy-names', { size: 10 }, undefined, [
    { host: 'e@x', capabilities: thick(100, 90, { volume_backend_name: '' }) },
    { host: 'n@x', capabilities: thick(100, 80, { volume_backend_name: null }) },
    { host: 'm@x', capabilities: thick(100, 70) },
  ]),
  fleetCase('s1-pools-empty', { size: 10 }, undefined, [pooled('e@x', []), legacy('ok@x', thick(100, 90))]),
  fleetCase('s1-pool-key-collision', { size: 10 }, { weighers: ['AllocatedCapacityWeigher'] }, [
    pooled('h@b', [{ pool_name: 'p.q', ...thick(100, 90), allocated_capacity_gb: 1 }]),
    pooled('h@b.p', [{ pool_name: 'q', ...thick(100, 80), allocated_capacity_gb: 2 }]),
    legacy('z@z', thick(100, 70)),
  ]),
  fleetCase('s1-cluster', { size: 10 }, undefined, [
    legacy('c1@x', thick(100, 90), { cluster_name: 'cl@x' }),
    legacy('c2@x', thick(100, 90), { cluster_name: 'cl@x' }),
    legacy('s@y', thick(100, 50)),
  ]),
];

const operationCases: JsonObject[] = [
  fleetCase('s9-resource-backend-pool', { size: 10, resource_backend: 'n6@pooled#silver' }),
  fleetCase('s9-resource-backend-host', { size: 10, resource_backend: 'n6@pooled' }),
  fleetCase('s9-resource-backend-elsewhere', { size: 10, resource_backend: 'zz@none' }),
  fleetCase('s9-unknown-filter', { size: 10 }, { filters: ['CapacityFilter', 'NopeFilter', 'AlsoBad'] }),
  fleetCase('s9-unknown-weigher', { size: 10 }, { weighers: ['CapacityWeigher', 'BadWeigher'] }),
  fleetCase('s9-unknown-weigher-masked', { size: 1000000 }, { weighers: ['BadWeigher'] }),
  fleetCase('s9-retry-exceeded', { size: 10, volume_id: 'v-r', retry: { num_attempts: 3, backends: ['n1@thick#thick'] } }),
  fleetCase('s9-retry-ignore-attempted', { size: 10, retry: { num_attempts: 1, backends: ['n2@thin15#thin15'] } }, { filters: ['IgnoreAttemptedHostsFilter', 'CapacityFilter'] }),
  fleetCase('s9-max-attempts-one', { size: 10, retry: { num_attempts: 5, backends: [] } }, { scheduler_max_attempts: 1 }),
  fleetCase('s9-extend-ok', { operation: 'extend_volume', size: 10, new_size: 200, host: 'n2@thin15#thin15', volume_id: 'v-e' }),
  fleetCase('s9-extend-no-room', { operation: 'extend_volume', size: 10, new_size: 90000, host: 'n1@thick#thick', volume_id: 'v-e' }),
  fleetCase('s9-extend-host-without-pool', { operation: 'extend_volume', size: 10, new_size: 20, host: 'n1@thick' }),
  fleetCase('s9-extend-float-sizes', { operation: 'extend_volume', size: 10.7, new_size: 11.2, host: 'n1@thick#thick' }),
  fleetCase('s6-extend-attached-no-online', { operation: 'extend_volume', size: 10, new_size: 20, host: 'x@o#o', attach_status: 'attached' }, undefined, [
    legacy('x@o', thick(100, 90, { online_extend_support: false, volume_backend_name: 'o' })),
  ]),
  fleetCase('s6-extend-attached-online-missing', { operation: 'extend_volume', size: 10, new_size: 20, host: 'x@o#o', attach_status: 'attached' }, undefined, [
    legacy('x@o', thick(100, 90, { volume_backend_name: 'o' })),
  ]),
  fleetCase('s9-retype-stays', { operation: 'retype', size: 900, host: 'n1@thick#thick', volume_id: 'v-t', volume_type: vt({ tier: 'gold' }, 'gold') }, undefined, [
    legacy('n1@thick', thick(1000, 10, { tier: 'gold' })),
    legacy('n7@big', thick(5000, 5000, { tier: 'gold' })),
  ]),
  fleetCase('s9-retype-never', { operation: 'retype', size: 10, host: 'n1@thick#thick', volume_id: 'v-t', volume_type: vt({ 'capabilities:thin_provisioning_support': '<is> True' }), migration_policy: 'never' }),
  fleetCase('s9-retype-on-demand', { operation: 'retype', size: 10, host: 'n1@thick#thick', volume_id: 'v-t', volume_type: vt({ 'capabilities:thin_provisioning_support': '<is> True' }), migration_policy: 'on-demand' }),
  fleetCase('s9-retype-legacy-host', { operation: 'retype', size: 10, host: 'n6@pooled', volume_id: 'v-t', volume_type: null }),
  fleetCase('s9-retype-nothing', { operation: 'retype', size: 10, host: 'n1@thick#thick', volume_id: 'v-t', volume_type: vt({ tier: 'platinum' }, 'plat') }),
  {
    id: 's8-sequence-consumes',
    backends: FLEET,
    requests: [
      ...Array.from({ length: 5 }, (_, i) => ({ size: 300, volume_id: `seq-${i}` })),
      { operation: 'extend_volume', size: 300, new_size: 350, host: 'n6@pooled#gold' },
      { size: 300, volume_id: 'seq-last' },
    ],
    config: { weighers: ['CapacityWeigher', 'VolumeNumberWeigher'] },
  },
];

const V1 = '0b6ac5e2-3c5a-4d0e-9d0c-1f6f3b3d2a11';
const V2 = '7e57d004-2b97-4e7a-b45f-5387367791cd';
const HINT_FILTERS = { filters: ['SameBackendFilter', 'DifferentBackendFilter', 'InstanceLocalityFilter', 'JsonFilter'] };
const hintCase = (id: string, hints: JsonObject): JsonObject => ({
  id,
  backends: FLEET,
  volumes: [{ id: V1, host: 'n6@pooled#gold' }, { id: V2, host: 'n1@thick' }],
  instances: [{ id: V1, host: 'n2' }],
  config: HINT_FILTERS,
  request: { size: 10, scheduler_hints: hints },
});

const hintCases: JsonObject[] = [
  hintCase('s9-same-host-pool', { same_host: [V1] }),
  hintCase('s9-same-host-legacy-volume-host', { same_host: V2 }),
  hintCase('s9-same-host-not-uuid', { same_host: ['vol-1'] }),
  hintCase('s9-different-host', { different_host: [V1, V2] }),
  hintCase('s9-different-host-empty', { different_host: [] }),
  hintCase('s9-local-to-instance', { local_to_instance: V1 }),
  hintCase('s9-local-to-unknown-instance', { local_to_instance: V2 }),
  hintCase('s9-local-to-instance-not-uuid', { local_to_instance: 'server-1' }),
  hintCase('s9-json-query', { query: '["or", ["=", "$volume_backend_name", "thin15"], ["<", "$allocated_capacity_gb", 200]]' }),
  hintCase('s10-json-query-infinite-free', { query: '["and", [">=", "$free_capacity_gb", 500], ["not", ["=", "$volume_backend_name", "thick"]]]' }),
];

/** Regression cases: minimal reproductions of disagreements this test found in cinder-sim (since fixed). */
const findings: JsonObject[] = [
  fleetCase('found-retype-without-volume-id', { operation: 'retype', size: 10, host: 'n1@thick#thick', volume_type: vt({ tier: 'platinum' }, 'plat') }),
  fleetCase('found-auto-ratio-free-over-total', { size: 10 }, undefined, [legacy('x@a', thin(100, 101, 'auto', { provisioned_capacity_gb: 50 })), legacy('y@b', thick(100, 90))]),
  fleetCase('found-auto-ratio-free-null', { size: 10 }, undefined, [legacy('y@b', thick(100, 90)), legacy('x@a', thin(100, null, 'auto', { provisioned_capacity_gb: 50 }))]),
  fleetCase('found-capacity-weigher-free-null-thin', { size: 10 }, { filters: [] }, [
    legacy('x@a', thin(100, null, 2, { provisioned_capacity_gb: 50 })),
    legacy('y@b', thick(1000, 900)),
  ]),
  fleetCase('s10-extend-consume-free-null', { operation: 'extend_volume', size: 10, new_size: 10, host: 'x@a#a' }, undefined, [
    legacy('x@a', thin(100, null, 2, { provisioned_capacity_gb: 50 })),
    legacy('y@b', thick(100, 90)),
  ]),
  fleetCase('found-round2-huge', { size: 1 }, { filters: [] }, [
    legacy('x@a', thick(2e15, 1000000000006717.375)),
    legacy('y@b', thick(2e15, 0)),
    legacy('z@c', thick(2e15, 1000000000006720)),
  ]),
  ...[
    ['thin_provisioning_support', 'False', true],
    ['thick_provisioning_support', 'yes', 'yes'],
    ['multiattach', 'True', true],
    ['QoS_support', 'False', 'False'],
  ].map(([key, reported, wanted]) =>
    fleetCase(`found-json-filter-raw-${String(key)}`, { size: 1, scheduler_hints: { query: JSON.stringify(['=', `$${String(key)}`, wanted]) } }, { filters: ['JsonFilter'] }, [
      legacy('x@a', thick(100, 90, { [String(key)]: reported as JsonValue })),
      legacy('y@b', thick(100, 80)),
    ]),
  ),
  // Cinder quirk: the second report of a cluster is compared key by key (frozenset order) with the first, whose pool
  // lacks max_over_subscription_ratio; with PYTHONHASHSEED=0 the KeyError comes first and the report is dropped.
  fleetCase('quirk-cluster-report-keyerror', { size: 10 }, { weighers: ['AllocatedCapacityWeigher'] }, [
    pooled('s1@x', [{ pool_name: 'p', ...thick(1000, 900), allocated_capacity_gb: 100, provisioned_capacity_gb: 100, reserved_percentage: 0, thin_provisioning_support: false, thick_provisioning_support: true }], {}, { cluster_name: 'cl@x' }),
    pooled('s2@x', [{ pool_name: 'p', ...thick(1000, 900), allocated_capacity_gb: 700, provisioned_capacity_gb: 700, reserved_percentage: 0, thin_provisioning_support: false, thick_provisioning_support: true, max_over_subscription_ratio: 1 }], {}, { cluster_name: 'cl@x' }),
    legacy('a@y', thick(1000, 900, { allocated_capacity_gb: 400 })),
    legacy('b@z', thick(1000, 900, { allocated_capacity_gb: 300 })),
  ]),
  fleetCase('found-consume-free-null', { size: 10 }, { filters: [] }, [legacy('x@a', thick('unknown', null))]),
  fleetCase('found-extend-by-zero-free-null', { operation: 'extend_volume', size: 10, new_size: 10, host: 'x@a#a' }, undefined, [
    legacy('x@a', thick('unknown', null)),
    legacy('y@b', thick(100, 90)),
  ]),
  {
    id: 'found-retry-revert-wiped-by-refresh',
    backends: [legacy('x@a', thick(1000, 450)), legacy('y@b', thick(1000, 500)), legacy('z@c', thick(1000, 400))],
    requests: [{ size: 10 }, { size: 10, retry: { num_attempts: 1, backends: ['x@a#a'] } }, { size: 10 }],
  },
  // db.volume_data_get_for_host counts host == X or host LIKE 'X#%': a pool named '' (host X) counts its whole backend.
  {
    id: 'found-empty-pool-name-volume-count',
    config: { weighers: ['VolumeNumberWeigher'] },
    backends: [
      pooled('x@a', [
        { pool_name: '', ...thick(1000, 900), volume_count: 1 },
        { pool_name: 'p1', ...thick(1000, 900), volume_count: 5 },
      ]),
      pooled('y@b', [{ pool_name: 'p', ...thick(1000, 900), volume_count: 4 }]),
    ],
    requests: [{ size: 10 }, { size: 10 }, { size: 10 }],
  },
  // A request without volume_id is "vol-%04d" of its index; a type without id is "type-<name>" with qos_specs_id None.
  fleetCase('default-ids-retype-nothing', { operation: 'retype', size: 10, host: 'n1@thick#thick', volume_type: vt({ tier: 'platinum' }, 'plat') }),
  fleetCase('default-ids-retype-unnamed-type', { operation: 'retype', size: 10, host: 'n1@thick#thick', volume_type: { extra_specs: { tier: 'platinum' } } }),
  fleetCase('default-ids-retype-given-ids', { operation: 'retype', size: 10, host: 'n1@thick#thick', volume_id: null, volume_type: { name: 'plat', id: 'abc', qos_specs_id: 'q1', extra_specs: { tier: 'platinum' } } }),
  fleetCase('default-ids-extend-elsewhere', { operation: 'extend_volume', size: 10, new_size: 20, host: 'nowhere@x#x' }),
  {
    id: 'default-ids-second-request',
    backends: [legacy('x@a', thick(100, 50))],
    requests: [{ size: 10 }, { operation: 'retype', size: 10, host: 'x@a#a', volume_type: vt({ tier: 'platinum' }, 'plat') }],
  },
  {
    id: 'found-retry-revert-after-consume',
    backends: [legacy('x@a', thick(1000, 600)), legacy('y@b', thick(1000, 500))],
    requests: [{ size: 100 }, { size: 100, retry: { num_attempts: 1, backends: ['x@a#a'] } }, { size: 50 }],
  },
];

export const edgeCases: JsonObject[] = [...specCases(), ...capacityCases, ...evaluatorCases, ...weighCases, ...azAndHostCases, ...operationCases, ...hintCases, ...findings];
