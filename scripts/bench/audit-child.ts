/**
 * One measured pass over a users export file, in its own process so its peak memory is its own:
 * `audit` runs the audit's users half; `html` that and the HTML report (charts rendered, the file written);
 * `parse` only gunzips and JSON.parses each line.
 * Prints `{ users, ms, maxRssMb }`.
 */
import { writeFileSync } from 'node:fs';
import { auditUsers, usersFromFile } from '../audit/export';
import { renderHtml } from '../audit/html';
import { UsersAudit } from '../audit/users';
import { loadProject } from '../lib/project';

async function main(): Promise<void> {
  const [mode, file, tenant] = process.argv.slice(2);
  if (!file || (mode !== 'audit' && mode !== 'html' && mode !== 'parse')) throw new Error('usage: audit-child.ts audit|html|parse FILE [TENANT]');
  const source = await usersFromFile(file);
  const started = process.hrtime.bigint();
  let users = 0;
  if (mode === 'parse') {
    for await (const line of source.lines) {
      if (line.trim() === '') continue;
      JSON.parse(line);
      users += 1;
    }
  } else {
    const project = loadProject(tenant ?? 'tenant.yaml');
    const audit = new UsersAudit(project.compiled, project.policy.metadataKey);
    await auditUsers(source, audit, false);
    const summary = audit.result();
    users = summary.users;
    if (mode === 'html') writeFileSync(`${file}.html`, await renderHtml({ target: file, generatedAt: new Date().toISOString(), drift: [], users: summary, broken: summary.violations > 0 }));
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(JSON.stringify({ users, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

void main();
