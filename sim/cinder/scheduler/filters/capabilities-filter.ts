import { isDict, PyError, type Json } from '../python.js';
import { PASS, type BackendFilter } from '../types.js';
import { matchExtraSpec } from './extra-specs-ops.js';

/** Keep pools whose reported capabilities satisfy the volume type's extra specs. */
export const CapabilitiesFilter: BackendFilter = {
  describe: "keep pools whose capabilities satisfy the volume type's extra specs",
  backendPasses(pool, ctx) {
    const caps = pool.capabilities;
    const spec = ctx.props.request_spec;
    if (spec.operation === 'extend_volume' && caps['online_extend_support'] === false && spec.volume_properties.attach_status !== 'detached') {
      return { pass: false, reason: 'online_extend_unsupported', attachStatus: spec.volume_properties.attach_status };
    }
    const extraSpecs = ctx.props.volume_type.extra_specs;
    if (!extraSpecs) return PASS;
    for (const key in extraSpecs) {
      const req = extraSpecs[key]!;
      const scope = key.split(':');
      if (scope.length > 1 && scope[0] !== 'capabilities') continue;
      if (scope[0] === 'capabilities') scope.shift();
      let cap: Json | undefined = caps as Json;
      for (const part of scope) {
        if (isDict(cap) && Object.prototype.hasOwnProperty.call(cap, part)) {
          cap = cap[part];
        } else if (Array.isArray(cap) || typeof cap === 'string') {
          // Cinder indexes lists/strings with a str key: TypeError, caught as a miss.
          cap = undefined;
        } else {
          cap = undefined;
        }
        if (cap === undefined) return { pass: false, reason: 'extra_spec_missing', key, required: req };
      }
      const values: Json[] = Array.isArray(cap) ? cap : [cap!];
      let matched = false;
      for (const v of values) {
        try {
          if (matchExtraSpec(v, req)) {
            matched = true;
            break;
          }
        } catch (e) {
          if (e instanceof PyError) throw new PyError(e.pyType, `CapabilitiesFilter on pool ${pool.host}: extra spec ${key}='${req}' against capability value ${JSON.stringify(v)}: ${e.message}`);
          throw e;
        }
      }
      if (!matched) return { pass: false, reason: 'extra_spec_mismatch', key, required: req, actual: cap! };
    }
    return PASS;
  },
};
