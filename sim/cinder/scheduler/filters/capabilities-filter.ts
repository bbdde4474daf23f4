import { isDict, PyError, type Json } from '../python.js';
import { PASS, type BackendFilter } from '../types.js';
import { compileReq, matchCompiled, type CompiledReq } from './extra-specs-ops.js';

interface CompiledSpec {
  key: string;
  /** Nested capability keys, `capabilities:` scope dropped. */
  path: string[];
  req: CompiledReq;
}

const compiled = new WeakMap<Readonly<Record<string, string>>, CompiledSpec[]>();

/** The extra specs this filter reads, split once per volume type rather than once per pool. */
let lastSpecs: Readonly<Record<string, string>> | null = null;
let lastList: CompiledSpec[] = [];

function compiledSpecs(extraSpecs: Readonly<Record<string, string>>): CompiledSpec[] {
  if (extraSpecs === lastSpecs) return lastList;
  let list = compiled.get(extraSpecs);
  if (!list) {
    list = [];
    for (const key in extraSpecs) {
      const scope = key.split(':');
      if (scope.length > 1 && scope[0] !== 'capabilities') continue;
      if (scope[0] === 'capabilities') scope.shift();
      list.push({ key, path: scope, req: compileReq(extraSpecs[key]!) });
    }
    compiled.set(extraSpecs, list);
  }
  lastSpecs = extraSpecs;
  lastList = list;
  return list;
}

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
    for (const spec of compiledSpecs(extraSpecs)) {
      let cap: Json | undefined = caps as Json;
      for (const part of spec.path) {
        cap = isDict(cap) && Object.prototype.hasOwnProperty.call(cap, part) ? cap[part] : undefined;
        // Indexing a non-dict with a str key is a TypeError Cinder catches as a miss.
        if (cap === undefined) return { pass: false, reason: 'extra_spec_missing', key: spec.key, required: spec.req.req };
      }
      let matched = false;
      try {
        if (Array.isArray(cap)) {
          for (const v of cap) {
            if (matchCompiled(v, spec.req)) {
              matched = true;
              break;
            }
          }
        } else {
          matched = matchCompiled(cap!, spec.req);
        }
      } catch (e) {
        if (e instanceof PyError) throw new PyError(e.pyType, `CapabilitiesFilter on pool ${pool.host}: extra spec ${spec.key}='${spec.req.req}' against capability ${JSON.stringify(cap)}: ${e.message}`);
        throw e;
      }
      if (!matched) return { pass: false, reason: 'extra_spec_mismatch', key: spec.key, required: spec.req.req, actual: cap! };
    }
    return PASS;
  },
};
