"""Differential oracle: decide cinder-sim scheduler cases with the real Cinder.

Reads a JSON array of cases (docs/case-format.md) on stdin, writes a JSON
array of results on stdout, one per case, in the same result format.  The
decisions are made by the installed Cinder package (Debian python3-cinder,
Cinder 2023.1): a FilterScheduler whose HostManager sees the case's services
(ServiceList.get_all is mocked) and receives the case's capability reports
through update_service_capabilities, exactly as the scheduler service does.
Only the DB, the RPC API and the volume table are mocked.

`python3 run_cinder.py --probe` prints the Cinder version and exits 0 when the
package imports, so a caller can tell "not installed" from "broken".
"""
import contextlib
import datetime
import json
import math
import sys
from unittest import mock

from oslo_config import cfg

from cinder import objects

objects.register_all()

from cinder import context as cinder_context  # noqa: E402
from cinder import exception  # noqa: E402
from cinder.scheduler import base_filter  # noqa: E402
from cinder.scheduler import filter_scheduler  # noqa: E402
from cinder.scheduler import host_manager  # noqa: E402
from cinder.scheduler.weights import capacity  # noqa: E402,F401 (registers options)
from cinder.scheduler.weights import volume_number  # noqa: E402,F401

CONF = cfg.CONF
CONF([], project='cinder', default_config_files=[])

DEFAULT_FILTERS = ['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter']


class Service(dict):
    """What objects.Service offers the host manager: dict(service) and attributes."""

    def __init__(self, backend):
        super().__init__(host=backend['host'],
                         availability_zone=backend.get('availability_zone', 'nova'),
                         cluster_name=backend.get('cluster_name'),
                         disabled=False, frozen=False, topic='cinder-volume')
        self.host = backend['host']
        self.cluster_name = backend.get('cluster_name')
        self.is_up = backend.get('service_up', True)
        self.service_topic_queue = self.cluster_name or self.host


def pool_host(host, pool_name):
    return host + '#' + pool_name if pool_name else host


def split_volume_counts(backend, counts):
    """volume_count is not a capability: move it into the fake volume table."""
    caps = json.loads(json.dumps(backend['capabilities']))
    pools = caps.get('pools')
    if isinstance(pools, list):
        for p in pools:
            if isinstance(p, dict) and 'volume_count' in p:
                key = pool_host(backend['host'], p.get('pool_name'))
                counts[key] = counts.get(key, 0) + p.pop('volume_count')
    elif 'volume_count' in backend:
        name = caps.get('volume_backend_name')
        counts[pool_host(backend['host'], '_pool0' if name is None else str(name))] = backend['volume_count']
    return caps


def host_matches(value, volume_host):
    """The db's _filter_host levels: '#' exact pool, '@' backend and its pools, else host and below."""
    if '#' in value:
        return volume_host == value
    if '@' in value:
        return volume_host == value or volume_host.startswith(value + '#')
    return volume_host == value or volume_host.startswith((value + '@', value + '#'))


def fake_volume_api(volumes):
    """volume.API as AffinityFilter uses it: get_all filtered by id list and host (no clusters here)."""
    class API:
        def get_all(self, context, marker=None, limit=None, sort_keys=None, sort_dirs=None, filters=None, **kwargs):
            ids = set(filters.get('id') or [])
            return [v for v in volumes if v['id'] in ids and host_matches(filters.get('host', ''), v['host'])]
    return API


class Server:
    pass


def fake_nova_api(instances):
    """nova.API.get_server: an instance the case does not list comes back without its host attribute."""
    hosts = {i['id']: i['host'] for i in instances}

    class API:
        def get_server(self, context, server_id, privileged_user=False, timeout=None):
            server = Server()
            if server_id in hosts:
                setattr(server, 'OS-EXT-SRV-ATTR:host', hosts[server_id])
            return server
    return API


def configure(config):
    CONF.set_override('scheduler_default_filters', config.get('filters', DEFAULT_FILTERS))
    CONF.set_override('scheduler_default_weighers', config.get('weighers', ['CapacityWeigher']))
    CONF.set_override('capacity_weight_multiplier', config.get('capacity_weight_multiplier', 1.0))
    CONF.set_override('allocated_capacity_weight_multiplier',
                      config.get('allocated_capacity_weight_multiplier', -1.0))
    CONF.set_override('volume_number_multiplier', config.get('volume_number_multiplier', -1.0))
    CONF.set_override('max_over_subscription_ratio', str(config.get('max_over_subscription_ratio', '20.0')))
    CONF.set_override('scheduler_max_attempts', config.get('scheduler_max_attempts', 3))


class Trace:
    """Records candidates, each filter's survivors and the weighed list of one request."""

    def __init__(self):
        self.candidates = []
        self.filters = None
        self.weighed = []

    @contextlib.contextmanager
    def installed(self):
        trace = self
        orig_all = host_manager.HostManager.get_all_backend_states
        orig_filter_all = base_filter.BaseFilter.filter_all
        orig_filtered = base_filter.BaseFilterHandler.get_filtered_objects
        orig_weighed = host_manager.HostManager.get_weighed_backends

        def all_states(hm, ctxt):
            pools = list(orig_all(hm, ctxt))
            trace.candidates = [p.host for p in pools]
            return pools

        def filtered(handler, classes, objs, props, index=0):
            trace.filters = []
            return orig_filtered(handler, classes, objs, props, index)

        def filter_all(flt, objs, props):
            # A filter that crashes is not listed: only completed filters are.
            passed = list(orig_filter_all(flt, objs, props))
            trace.filters.append({'name': type(flt).__name__, 'passed': [o.host for o in passed]})
            return passed

        def weighed(hm, backends, props, weigher_class_names=None):
            result = orig_weighed(hm, backends, props, weigher_class_names)
            trace.weighed = [{'host': w.obj.host, 'weight': w.weight} for w in result]
            return result

        with mock.patch.object(host_manager.HostManager, 'get_all_backend_states', all_states), \
                mock.patch.object(base_filter.BaseFilter, 'filter_all', filter_all), \
                mock.patch.object(base_filter.BaseFilterHandler, 'get_filtered_objects', filtered), \
                mock.patch.object(host_manager.HostManager, 'get_weighed_backends', weighed):
            yield


def volume_type(r):
    """The case's type as a request_spec carries it: "id" and "qos_specs_id" added when absent."""
    vt = r.get('volume_type')
    if vt is None:
        return None
    vt = dict(vt)
    vt.setdefault('id', 'type-%s' % vt.get('name'))
    vt.setdefault('qos_specs_id', None)
    return vt


def request_spec(r, op, index):
    props = {'size': r['size'], 'availability_zone': r.get('availability_zone'),
             'volume_type_id': None, 'attach_status': r.get('attach_status', 'detached'),
             'status': 'creating' if op == 'create_volume' else 'available'}
    if 'host' in r:
        props['host'] = r['host']
    volume_id = r['volume_id'] if 'volume_id' in r else 'vol-%04d' % index
    spec = {'volume_id': volume_id, 'volume_properties': props,
            'resource_properties': props, 'volume_type': volume_type(r), 'operation': op}
    for key in ('availability_zones', 'resource_backend', 'migration_policy'):
        if r.get(key):
            spec[key] = r[key]
    return spec


def empty_result():
    return {'candidates': [], 'filters': None, 'weighed': [], 'selected': None,
            'selected_az': None, 'error': None, 'error_type': None}


def count_for_host(counts, host):
    """db.volume_data_get_for_host(host, count_only=True): volumes whose host is `host` or LIKE 'host#%'."""
    return sum(n for h, n in counts.items() if h == host or h.startswith(host + '#'))


def run_request(sched, r, index, counts, update_db):
    op = r.get('operation', 'create_volume')
    spec = request_spec(r, op, index)
    props = {}
    if 'retry' in r:
        props['retry'] = json.loads(json.dumps(r['retry']))
    if 'scheduler_hints' in r:
        props['scheduler_hints'] = r['scheduler_hints']
    res = empty_result()
    trace = Trace()
    ctxt = cinder_context.get_admin_context()
    try:
        with trace.installed():
            if op == 'create_volume':
                update_db.reset_mock()
                sched.schedule_create_volume(ctxt, spec, props)
                args, kwargs = update_db.call_args
                res['selected'] = args[2]
                res['selected_az'] = kwargs['availability_zone']
                counts[args[2]] = counts.get(args[2], 0) + 1
            elif op == 'extend_volume':
                props['new_size'] = r['new_size']
                state = sched.backend_passes_filters(ctxt, r['host'], spec, props)
                state.consume_from_volume({'size': r['new_size'] - r['size']})
                res['selected'] = state.host
                res['selected_az'] = state.service['availability_zone']
            else:
                state = sched.find_retype_backend(ctxt, spec, props, r.get('migration_policy') or 'never')
                res['selected'] = state.host
                res['selected_az'] = state.service['availability_zone']
    except exception.NoValidBackend as e:
        res['error'], res['error_type'] = str(e), 'NoValidBackend'
    except Exception as e:  # Cinder's own crashes are results here
        res['error'], res['error_type'] = str(e), type(e).__name__
    res['candidates'] = trace.candidates
    res['filters'] = trace.filters
    res['weighed'] = trace.weighed
    return res


def run_case(case):
    configure(case.get('config') or {})
    backends = case['backends']
    listed = [Service(b) for b in backends if not b.get('disabled') and not b.get('frozen')]
    counts = {}
    requests = case['requests'] if 'requests' in case else [case['request']]
    results = []
    report_at = datetime.datetime.utcnow() - datetime.timedelta(seconds=1)
    with mock.patch('cinder.objects.ServiceList.get_all', return_value=mock.Mock(objects=listed)), \
            mock.patch('cinder.db.volume_data_get_for_host',
                       side_effect=lambda context, host, count_only: count_for_host(counts, host)), \
            mock.patch('cinder.scheduler.driver.volume_update_db') as update_db, \
            mock.patch('cinder.volume.rpcapi.VolumeAPI'), \
            mock.patch('cinder.volume.api.API', fake_volume_api(case.get('volumes') or [])), \
            mock.patch('cinder.compute.nova.API', fake_nova_api(case.get('instances') or [])):
        try:
            sched = filter_scheduler.FilterScheduler()
        except Exception as e:  # unknown filter name: HostManager refuses to start
            failed = empty_result()
            failed['error'], failed['error_type'] = str(e), type(e).__name__
            results = [dict(failed) for _ in requests]
        else:
            for b in backends:
                if b.get('capabilities') is None:
                    continue
                try:
                    sched.host_manager.update_service_capabilities(
                        'volume', b['host'], split_volume_counts(b, counts), b.get('cluster_name'), report_at)
                except Exception:  # noqa: S110
                    # The first report rebuilds the backend map and can crash
                    # there (e.g. 'auto' ratio); the RPC server logs and drops
                    # the error, the report is already stored.
                    pass
            results = [run_request(sched, r, i, counts, update_db) for i, r in enumerate(requests)]
    head = {'id': case['id']} if 'id' in case else {}
    return {**head, 'results': results} if 'requests' in case else {**head, **results[0]}


def plain(o):
    """JSON has no inf/nan: such weights travel as strings."""
    if isinstance(o, float) and (math.isinf(o) or math.isnan(o)):
        return str(o)
    if isinstance(o, dict):
        return {k: plain(v) for k, v in o.items()}
    if isinstance(o, list):
        return [plain(v) for v in o]
    return o


def main():
    if sys.argv[1:] == ['--probe']:
        import cinder.version
        print(cinder.version.version_info.version_string())
        return
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        try:
            out.append(run_case(case))
        except Exception as e:  # a harness bug must not hide the other cases
            out.append({'id': case.get('id'), 'harness_error': '%s: %s' % (type(e).__name__, e)})
    json.dump(plain(out), sys.stdout, separators=(',', ':'))


if __name__ == '__main__':
    main()
