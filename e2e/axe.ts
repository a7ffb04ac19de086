import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, Result } from 'axe-core';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Violations of these impacts fail a check; minor and moderate ones are printed only. */
const FAILING: ReadonlySet<ImpactValue> = new Set(['serious', 'critical']);

export interface AxeReport {
  screen: string;
  violations: Result[];
  failing: Result[];
}

/** One line per violation and one per element it was found on, with the rule's help page. */
export function describeViolations(report: AxeReport): string {
  const lines: string[] = [];
  for (const v of report.violations) {
    lines.push(`[${report.screen}] ${v.impact ?? 'unknown'} ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const node of v.nodes) {
      lines.push(`    at ${node.target.map(String).join(' > ')}: ${node.html.slice(0, 300)}`);
      if (node.failureSummary) lines.push(`       ${node.failureSummary.replace(/\n\s*/g, ' / ')}`);
    }
  }
  return lines.join('\n');
}

/**
 * Runs axe-core on the page as it is now (WCAG 2.x A/AA and best practices) and prints what it
 * finds. The windows' CSP allows no inline script, so `addScriptTag({content})` is refused; the
 * source goes in through `page.evaluate`, which runs over the DevTools protocol (Runtime.evaluate)
 * and is not subject to the page's CSP.
 */
export async function runAxe(page: Page, screen: string): Promise<AxeReport> {
  const loaded = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  const results = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    return axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
  })) as AxeResults;
  const violations = results.violations;
  const report = { screen, violations, failing: violations.filter((v) => v.impact && FAILING.has(v.impact)) };
  if (violations.length) console.log(describeViolations(report));
  else console.log(`[${screen}] no axe violations`);
  return report;
}
