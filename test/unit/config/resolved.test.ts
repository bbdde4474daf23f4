import { describe, expect, it } from 'vitest';
import { backendGroupOptions, defaultGroupOptions, resolveBackendOptions, resolveServiceDefaults, schedulerDefaults, SIMULATED_NODE_IP } from '../../../sim/cinder/config/index.js';
import type { BackendOptions, ServiceDefaults } from '../../../sim/cinder/config/index.js';

describe('resolved options: the registry is the only source of defaults', () => {
  it('[DEFAULT] resolves every registry option to its default, host to the node name', () => {
    const d = resolveServiceDefaults('node7');
    for (const [name, spec] of Object.entries(defaultGroupOptions)) {
      expect(d[name as keyof ServiceDefaults], name).toEqual(name === 'host' ? 'node7' : spec.default);
    }
    expect(d.max_over_subscription_ratio).toBe(backendGroupOptions.max_over_subscription_ratio.default);
  });

  it("a backend group resolves every registry option to its default, oslo templates as on a simulated node", () => {
    const b = resolveBackendOptions();
    for (const [name, spec] of Object.entries(backendGroupOptions)) {
      const want = typeof spec.default === 'string' ? spec.default.replace('$my_ip', SIMULATED_NODE_IP).replace('$state_path', defaultGroupOptions.state_path.default) : spec.default;
      expect(b[name as keyof BackendOptions], name).toEqual(want);
    }
  });

  it('the scheduler defaults are the registry values', () => {
    for (const [name, value] of Object.entries(schedulerDefaults)) expect(value).toEqual(defaultGroupOptions[name as keyof typeof defaultGroupOptions].default);
  });

  it('set values win; a name the registry does not declare, or a value outside its choices, is refused', () => {
    expect(resolveBackendOptions({ reserved_percentage: 10 }).reserved_percentage).toBe(10);
    expect(() => resolveBackendOptions({ iscsi_ip_address: '10.0.0.1' } as Partial<BackendOptions>)).toThrow("'iscsi_ip_address' is not an option of a backend group");
    expect(() => resolveBackendOptions({ lvm_type: 'thick' })).toThrow("lvm_type = 'thick' is not valid; valid: default, thin, auto");
    expect(() => resolveServiceDefaults('n', { reserved_percentage: 5 } as Partial<ServiceDefaults>)).toThrow("'reserved_percentage' is not an option of [DEFAULT]");
  });
});
