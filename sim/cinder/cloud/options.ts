import type { DefaultOptions } from '../config/options.js';

/** service_down_time as Service.basic_config_check corrects it. */
export function effectiveServiceDownTime(o: Pick<DefaultOptions, 'service_down_time' | 'report_interval'>): number {
  return o.service_down_time <= o.report_interval ? Math.trunc(o.report_interval * 2.5) : o.service_down_time;
}
