/**
 * When a service counts as up, judged from its heartbeat (`services.updated_at`,
 * stamped by the service's own clock) by the judge's clock.  Cinder has two
 * rules, and they disagree when clocks disagree:
 *
 * - the scheduler's (objects.Service.is_up / utils.service_is_up): one-sided,
 *   the heartbeat is no older than service_down_time; a heartbeat from the
 *   judge's future always counts as up;
 * - the API's service-list (api/contrib/services.py): two-sided,
 *   abs(now - updated_at) <= service_down_time; a heartbeat too far in the
 *   judge's future counts as down.
 */

/** service_down_time as Service.basic_config_check corrects it: at most report_interval becomes int(report_interval * 2.5). */
export function effectiveServiceDownTime(o: { service_down_time: number; report_interval: number }): number {
  return o.service_down_time <= o.report_interval ? Math.trunc(o.report_interval * 2.5) : o.service_down_time;
}

/** The scheduler's rule (objects.Service.is_up): the heartbeat is no older than service_down_time by the judge's clock. */
export function isServiceUp(updatedAtWallMs: number | null, nowWallMs: number, serviceDownTimeMs: number): boolean {
  return updatedAtWallMs !== null && updatedAtWallMs >= nowWallMs - serviceDownTimeMs;
}

/** The API's service-list rule: abs(now - updated_at) <= service_down_time by the API node's clock. */
export function isServiceUpForList(updatedAtWallMs: number, nowWallMs: number, serviceDownTimeMs: number): boolean {
  return Math.abs(nowWallMs - updatedAtWallMs) <= serviceDownTimeMs;
}
