import { REST_SCOPES } from '@multidesk/protocol';
import { invalidArgument, isoDateTime } from '../envelope.ts';
import { isTruthy, param } from '../params.ts';
import type { MethodTable } from '../registry.ts';

/** The basic methods every caller may use, whatever its scopes. */
export const serverMethods: MethodTable = {
  'server.time': {
    scopes: null,
    handler: async ({ ctx }) => ({ result: isoDateTime(ctx.now()) }),
  },

  /** Methods this caller may use; `full=true` all of them; `scope=user` those of one scope. */
  methods: {
    scopes: null,
    handler: async ({ params, registry, auth }) => {
      if (isTruthy(param(params, 'full'))) return { result: registry.names() };
      const scope = param(params, 'scope');
      if (typeof scope === 'string' && scope !== '') {
        if (!(REST_SCOPES as readonly string[]).includes(scope)) throw invalidArgument(`Unknown scope "${scope}".`);
        return { result: registry.namesOfScope(scope) };
      }
      return { result: registry.names(auth.scopes) };
    },
  },

  /** The caller's scopes; `full=true` every scope this portal serves. */
  scope: {
    scopes: null,
    handler: async ({ params, auth }) => ({ result: isTruthy(param(params, 'full')) ? [...REST_SCOPES] : [...auth.scopes] }),
  },
};
