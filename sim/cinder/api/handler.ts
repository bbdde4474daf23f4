import type { ApiCore } from './core.js';
import type { ApiResult, ParsedRequestOf, RequestContext, Verb } from './requests.js';

/** One verb's handler: answers through `done`, at once or after an RPC call. */
export type Handler<V extends Verb> = (core: ApiCore, ctx: RequestContext, req: ParsedRequestOf<V>, done: (r: ApiResult) => void) => void;
