import type { RestScope, RestTime } from '@multidesk/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { PortalContext } from '../http/context.ts';
import { isServiceUnavailable } from '../http/serviceUnavailable.ts';
import type { Portal } from '../store/schema.ts';
import { RestFailure, type RestOutcome, restTime } from './envelope.ts';
import type { OperatingMeter } from './operating.ts';
import type { RestParams } from './params.ts';
import type { PortalPerson } from './userDirectory.ts';

/** Who is calling: a member of the portal, through an access token or an inbound webhook. */
export interface RestAuth {
  memberId: number;
  scopes: readonly string[];
  /** `token`: the desktop's own sign-in; `app`: a Bitrix24 app's OAuth token; `webhook`: an inbound webhook. */
  via: 'token' | 'app' | 'webhook';
  /** The OAuth client of a token (`app` and `token`). */
  clientId?: string;
  /** The caller as read when authenticating (active, with their network account and sign-ins). */
  user: PortalPerson;
}

/** Everything one authenticated request shares, whether it runs one method or a batch of them. */
export interface RestSession {
  /** How the client reached the portal (`http://acme.localhost:8024`): addresses handed out use it. */
  origin: string;
  ctx: PortalContext;
  portal: Portal;
  auth: RestAuth;
  registry: RestRegistry;
  meter: OperatingMeter;
  log: FastifyBaseLogger;
}

export interface RestCall extends RestSession {
  params: RestParams;
  /** Runs another method with the same auth, as `batch` does for each command. */
  invoke(method: string, params: RestParams): Promise<CallResult>;
}

export interface RestMethod {
  /** Any one of these grants the method; `null` for the basic methods every caller may use. */
  scopes: readonly RestScope[] | null;
  handler(call: RestCall): Promise<RestOutcome>;
}

/** One family's methods, e.g. `{ 'user.current': …, 'user.get': … }`. */
export type MethodTable = Readonly<Record<string, RestMethod>>;

export type CallResult = { ok: true; outcome: RestOutcome; time: RestTime } | { ok: false; failure: RestFailure };

/** Bitrix24 accepts any case and a `.json` suffix: `User.Current.json` is `user.current`. */
export function normalizeMethodName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.json') ? lower.slice(0, -'.json'.length) : lower;
}

export function methodAllows(method: RestMethod, scopes: readonly string[]): boolean {
  if (method.scopes === null) return true;
  for (const scope of method.scopes) if (scopes.includes(scope)) return true;
  return false;
}

/** Method name -> scope and handler, assembled from one table per family. */
export class RestRegistry {
  readonly #methods = new Map<string, RestMethod>();

  constructor(tables: readonly MethodTable[]) {
    for (const table of tables) {
      for (const [name, method] of Object.entries(table)) {
        const key = normalizeMethodName(name);
        if (this.#methods.has(key)) throw new Error(`REST method ${key} is registered twice`);
        this.#methods.set(key, method);
      }
    }
  }

  find(name: string): RestMethod | undefined {
    return this.#methods.get(normalizeMethodName(name));
  }

  /** `find` for a name `normalizeMethodName` wrote already. */
  findNormalized(methodName: string): RestMethod | undefined {
    return this.#methods.get(methodName);
  }

  /** Every method name, or only those the given scopes grant. */
  names(scopes?: readonly string[]): string[] {
    const all = [...this.#methods.entries()];
    return all.filter(([, method]) => !scopes || methodAllows(method, scopes)).map(([name]) => name);
  }

  /** Method names whose own scopes include `scope`. */
  namesOfScope(scope: string): string[] {
    return [...this.#methods.entries()].filter(([, method]) => method.scopes?.includes(scope as RestScope)).map(([name]) => name);
  }
}

/**
 * Runs one method for a session: finds it, checks the caller's scopes, and turns whatever the
 * handler throws into a Bitrix24 error (a fault says only "Internal Server Error", or SERVICE_UNAVAILABLE
 * when the database or Redis is away; the log has it).
 * `startedAt`/`startedHr` mark when this call began, for its `time` block.
 */
export async function dispatch(
  session: RestSession,
  name: string,
  params: RestParams,
  startedAt = session.ctx.now(),
  startedHr = performance.now(),
): Promise<CallResult> {
  const methodName = normalizeMethodName(name);
  const method = session.registry.findNormalized(methodName);
  if (!method) return { ok: false, failure: new RestFailure('ERROR_METHOD_NOT_FOUND', `Method not found: ${methodName}`) };
  if (!methodAllows(method, session.auth.scopes)) {
    return {
      ok: false,
      failure: new RestFailure('insufficient_scope', 'The request requires higher privileges than provided by the access token.'),
    };
  }
  const handlerStart = performance.now();
  try {
    const outcome = await method.handler({ ...session, params, invoke: (next, nextParams) => dispatch(session, next, nextParams) });
    const finished = performance.now();
    const processingMs = finished - handlerStart;
    const operating = session.meter.record(`${session.portal.id}:${session.auth.memberId}:${methodName}`, processingMs);
    return { ok: true, outcome, time: restTime({ startedAt, durationMs: finished - startedHr, processingMs, operating }) };
  } catch (error) {
    if (error instanceof RestFailure) return { ok: false, failure: error };
    if (isServiceUnavailable(error)) {
      session.log.warn({ err: error, method: methodName }, 'REST method found a service unavailable');
      return { ok: false, failure: new RestFailure('SERVICE_UNAVAILABLE', 'The service is unavailable for a moment; try again shortly.') };
    }
    session.log.error({ err: error, method: methodName }, 'REST method failed');
    return { ok: false, failure: new RestFailure('INTERNAL_SERVER_ERROR', 'Internal Server Error') };
  }
}
