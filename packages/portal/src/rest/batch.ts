import { BATCH_MAX_COMMANDS, type RestErrorBody, type RestTime } from '@multidesk/protocol';
import { parsePhpQuery } from '../http/bodyParsers.ts';
import { invalidArgument, phpArray, RestFailure, type RestOutcome } from './envelope.ts';
import { isTruthy, param } from './params.ts';
import { type CallResult, type MethodTable, normalizeMethodName, type RestCall } from './registry.ts';

/** Results of the commands run so far, by key: what `$result[key]…` references read. */
interface Done {
  result: Map<string, unknown>;
  result_total: Map<string, unknown>;
  result_next: Map<string, unknown>;
}

/** `$result[key][field]`, `$result[key][0][ID]`, `$result_total[key]`, `$result_next[key]`. */
const REFERENCE = /\$(result|result_total|result_next)((?:\[[^[\]]*\])+)/g;
const WHOLE_REFERENCE = new RegExp(`^${REFERENCE.source}$`);

function lookup(done: Done, kind: keyof Done, path: string): unknown {
  const [first, ...rest] = [...path.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string);
  if (first === undefined || !done[kind].has(first)) return undefined;
  let value = done[kind].get(first);
  for (const key of rest) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Replaces references to earlier results. A value that is only a reference takes the referenced
 * value as it is (a list stays a list); a reference inside a text is replaced by its text. A
 * reference to nothing (an unknown key, a failed command) is left as written.
 */
function resolve(value: unknown, done: Done): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_REFERENCE.exec(value);
    if (whole) return lookup(done, whole[1] as keyof Done, whole[2] as string) ?? value;
    return value.replace(REFERENCE, (match, kind: keyof Done, path: string) => {
      const found = lookup(done, kind, path);
      if (Array.isArray(found)) return found.join(',');
      return found === undefined || (found !== null && typeof found === 'object') ? match : String(found);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, done));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, done)]));
  }
  return value;
}

/** `cmd` as an object `{key: "method?query"}` or a list of such strings. */
function readCommands(cmd: unknown): [string, string][] {
  if (cmd === undefined || cmd === null || cmd === '') return [];
  if (typeof cmd !== 'object') throw invalidArgument('cmd must be an object or a list of "method?query" commands.');
  const entries = Object.entries(cmd);
  if (entries.length > BATCH_MAX_COMMANDS) {
    throw new RestFailure('ERROR_BATCH_LENGTH_EXCEEDED', `Max batch length exceeded: at most ${BATCH_MAX_COMMANDS} commands.`);
  }
  return entries.map(([key, command]) => {
    if (typeof command !== 'string') throw invalidArgument(`cmd[${key}] must be a "method?query" string.`);
    return [key, command];
  });
}

const errorBody = (failure: RestFailure): RestErrorBody => ({ error: failure.code, error_description: failure.message });

async function runCommand(call: RestCall, command: string, done: Done): Promise<CallResult> {
  const cut = command.indexOf('?');
  const method = cut < 0 ? command : command.slice(0, cut);
  if (normalizeMethodName(method) === 'batch') {
    return { ok: false, failure: new RestFailure('ERROR_BATCH_METHOD_NOT_ALLOWED', 'batch cannot run inside batch.') };
  }
  const query = cut < 0 ? {} : parsePhpQuery(command.slice(cut + 1));
  return call.invoke(method, resolve(query, done) as Record<string, unknown>);
}

/**
 * Bitrix24's batch: up to 50 commands with the caller's auth, in order, each seeing the results
 * of those before it; `halt=1` stops at the first error. Counted once by the rate limit.
 */
async function batch(call: RestCall): Promise<RestOutcome> {
  const commands = readCommands(param(call.params, 'cmd'));
  const halt = isTruthy(param(call.params, 'halt'));
  const done: Done = { result: new Map(), result_total: new Map(), result_next: new Map() };
  const errors: [string, RestErrorBody][] = [];
  const times: [string, RestTime][] = [];
  for (const [key, command] of commands) {
    const outcome = await runCommand(call, command, done);
    if (!outcome.ok) {
      errors.push([key, errorBody(outcome.failure)]);
      if (halt) break;
      continue;
    }
    done.result.set(key, outcome.outcome.result);
    if (outcome.outcome.total !== undefined) done.result_total.set(key, outcome.outcome.total);
    if (outcome.outcome.next !== undefined) done.result_next.set(key, outcome.outcome.next);
    times.push([key, outcome.time]);
  }
  return {
    result: {
      result: phpArray([...done.result]),
      result_error: phpArray(errors),
      result_total: phpArray([...done.result_total]),
      result_next: phpArray([...done.result_next]),
      result_time: phpArray(times),
    },
  };
}

export const batchMethods: MethodTable = { batch: { scopes: null, handler: batch } };
