import { E, err, ok, resolveByNameOrId, type ApiCore } from './core.js';
import type { Handler } from './handler.js';
import type { RequestContext } from './requests.js';
import { requireAdmin } from './volumes.js';

function resolveType(core: ApiCore, ctx: RequestContext, nameOrId: string) {
  return resolveByNameOrId(core.types, nameOrId, (t) => core.typeVisible(t, ctx), (t) => t.name, 'volumetype');
}

const typeView = (t: { id: string; name: string; description: string | null; is_public: boolean; extra_specs: Record<string, string> }) => ({
  id: t.id,
  name: t.name,
  description: t.description,
  is_public: t.is_public,
  extra_specs: t.extra_specs,
});

export const createType: Handler<'type-create'> = (core, ctx, req, done) => {
  const denied = requireAdmin(ctx, 'volume_extension:types_manage');
  if (denied) return done(err(denied));
  if (req.name.trim() === '') return done(err(E.invalidInput('Volume type name can not be empty.')));
  if (core.types.list((t) => t.name === req.name).length > 0) {
    return done(err({ http: 409, error: 'VolumeTypeExists', message: `Volume Type ${req.name} already exists.` }));
  }
  const t = core.types.insert({ id: core.uuid(), name: req.name, description: req.description ?? null, is_public: req.is_public ?? true, extra_specs: {}, projects: [] });
  done(ok(typeView(t)));
};

/** type-key set/unset: refused while any volume of the type exists. */
export const typeKey: Handler<'type-key'> = (core, ctx, req, done) => {
  const denied = requireAdmin(ctx, 'volume_extension:types_extra_specs:create');
  if (denied) return done(err(denied));
  const r = resolveType(core, ctx, req.vtype);
  if (!r.ok) return done(err(r.error));
  if (req.action !== 'set' && req.action !== 'unset') {
    return done(err({ http: 400, error: 'CommandError', message: `Invalid action '${req.action}'. Valid values are 'set' or 'unset.'` }));
  }
  const t = r.row;
  if (core.volumes.list((v) => v.volume_type_id === t.id).length > 0) {
    return done(err({ http: 400, error: 'HTTPBadRequest', message: 'Volume Type is currently in use.' }));
  }
  const specs = { ...t.extra_specs };
  if (req.action === 'set') {
    const merged = { ...specs, ...req.specs };
    if ('cacheable' in merged && 'multiattach' in merged && /true/i.test(merged.cacheable ?? '') && /true/i.test(merged.multiattach ?? '')) {
      return done(err(E.invalidInput('cacheable cannot be set with multiattach.')));
    }
    Object.assign(specs, req.specs);
  } else for (const k of Object.keys(req.specs)) delete specs[k];
  core.types.update(t.id, { extra_specs: specs });
  done(ok(typeView(core.types.get(t.id)!)));
};

export const deleteType: Handler<'type-delete'> = (core, ctx, req, done) => {
  const denied = requireAdmin(ctx, 'volume_extension:types_manage');
  if (denied) return done(err(denied));
  const r = resolveType(core, ctx, req.vtype);
  if (!r.ok) return done(err(r.error));
  const t = r.row;
  if (t.name === core.opts.default_volume_type) {
    return done(err({ http: 400, error: 'VolumeTypeDefaultDeletionError', message: `The volume type ${t.id} is a default volume type and cannot be deleted.` }));
  }
  if (core.volumes.list((v) => v.volume_type_id === t.id).length > 0) {
    return done(err({ http: 400, error: 'VolumeTypeInUse', message: 'Target volume type is still in use.' }));
  }
  core.types.softDelete(t.id);
  done(ok());
};

export const listTypes: Handler<'type-list'> = (core, ctx, _req, done) => {
  done(ok(core.types.list((t) => core.typeVisible(t, ctx)).map(typeView)));
};

export const typeAccessAdd: Handler<'type-access-add'> = (core, ctx, req, done) => {
  const denied = requireAdmin(ctx, 'volume_extension:volume_type_access:addProjectAccess');
  if (denied) return done(err(denied));
  const r = resolveType(core, ctx, req.vtype);
  if (!r.ok) return done(err(r.error));
  const t = r.row;
  if (t.is_public) return done(err({ http: 400, error: 'InvalidVolumeType', message: 'Invalid volume type: Type access modification is not applicable to public volume type.' }));
  if (t.projects.includes(req.project_id)) {
    return done(err({ http: 409, error: 'VolumeTypeAccessExists', message: `Volume type access for ${t.id} / ${req.project_id} combination already exists.` }));
  }
  core.types.update(t.id, { projects: [...t.projects, req.project_id] });
  done(ok());
};
