import { type Expression, type SqlBool, sql } from 'kysely';
import type { FilterTerm } from '../rest/filter.ts';

/**
 * One Bitrix24 filter term on one column, as SQL. Text compares case-insensitively on both sides;
 * `%` is a substring match with LIKE's wildcards escaped; several values for `=`/`<>` are IN/NOT IN.
 * Values are always parameters; only the operator, from a closed set, is written into the SQL.
 */
export function columnCondition(column: Expression<unknown>, text: boolean, term: FilterTerm<string>): Expression<SqlBool> {
  const [first] = term.values as [string | number];
  switch (term.op) {
    case 'like':
      return sql<SqlBool>`lower(${column}) like lower(${`%${String(first).replace(/[\\%_]/g, '\\$&')}%`}) escape '\\'`;
    case '=':
    case '<>': {
      const subject = text ? sql`lower(${column})` : column;
      const values = term.values.map((v) => (text ? sql`lower(${v})` : sql`${v}`));
      const negate = term.op === '<>';
      if (values.length === 1) return sql<SqlBool>`${subject} ${sql.raw(negate ? '<>' : '=')} ${values[0]}`;
      return sql<SqlBool>`${subject} ${sql.raw(negate ? 'not in' : 'in')} (${sql.join(values)})`;
    }
    default:
      return sql<SqlBool>`${column} ${sql.raw(term.op)} ${first}`;
  }
}
