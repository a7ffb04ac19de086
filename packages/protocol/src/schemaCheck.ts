import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

const compiled = new WeakMap<TSchema, (value: unknown) => boolean>();

/**
 * `Value.Check`, compiled: TypeBox turns the schema into a function on its first check, and every
 * check after is a call of it (under a microsecond, where `Value.Check` took 40 to 90 for each Pull
 * message the desktop core reads). For Node: a page whose CSP forbids code made at run time gets
 * its checks compiled at build time instead (the desktop's vite.config.ts).
 */
export function matches<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  let check = compiled.get(schema);
  if (!check) {
    const validator = Compile(schema);
    check = (candidate) => validator.Check(candidate);
    compiled.set(schema, check);
  }
  return check(value);
}
