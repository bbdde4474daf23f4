import { describe, expect, it } from 'vitest';
import { admin, cloud, okResult, req } from './fixtures.js';

/**
 * service_down_time <= report_interval: Service.basic_config_check raises it
 * to report_interval * 2.5 in each service process (the scheduler judges with
 * 25 s here), but cinder-api is a WSGIService and never runs that check, so
 * service-list judges with the configured 5 s and shows a heartbeating
 * service down between its beats.
 */
describe('service_down_time below report_interval', () => {
  it('service-list uses the configured value, the scheduler the raised one', () => {
    const conf = { service_down_time: 5, report_interval: 10 };
    const sc = cloud([{ name: 'n1', DEFAULT: conf }], { controllerDefaults: conf });
    const states = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const rows = okResult<{ host: string; state: string }[]>(req(sc, admin, { verb: 'service-list', binary: 'cinder-volume' }, 1_000));
      states.add(rows.find((r) => r.host === 'n1@lvm')!.state);
    }
    // Sampled every second over 10 s of 10 s heartbeats: some samples are more than 5 s after a beat.
    expect([...states].sort()).toEqual(['down', 'up']);
    // The scheduler still places on it: 25 s is never exceeded.
    for (let i = 0; i < 5; i++) expect(req(sc, admin, { verb: 'create', size: 1, name: `v${i}` }, 3_000).ok).toBe(true);
    expect(sc.view.services().find((s) => s.host === 'n1@lvm')!.schedulerState).toBe('up');
  });
});
