/**
 * `npm run audit [-- --env NAME] [--users-file FILE] [--json | --markdown] [--no-users] [--tenant PATH] [--policy PATH]`:
 * a tenant's live state against tenant.yaml and the policy — connection and action drift, and every user's
 * provenance — read through the official auth0 SDK (users through an export job) or from an export file.
 * Exit 1 when anything breaks the policy.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { commandArgs } from '../lib/args';
import { buildActions, policyFileFor, policyFor } from '../lib/build-actions';
import { EXIT, ProjectError, runCommand } from '../lib/errors';
import { ALL_ENVIRONMENTS, readEnvironment, refuseLiteralCredentials } from '../lib/environments';
import { readTenantFile } from '../lib/tenant-yaml';
import { loadProject } from '../lib/project';
import { openTarget, requireCredentials } from '../lib/target';
import { desiredTenant } from '../deploy/desired';
import { readLedger } from '../deploy/ledger';
import { liveTenant } from '../deploy/live';
import { computePlan } from '../deploy/plan';
import { keywordMappings } from '../deploy/run';
import { driftFrom } from '../audit/drift';
import { readDenials } from '../audit/denials';
import { auditUsers, EXPORT_FIELDS, usersFromExportJob, usersFromFile } from '../audit/export';
import { formatMarkdown, formatText, type AuditReport } from '../audit/report';
import { compareReports, readPreviousReport } from '../audit/compare';
import { renderHtml } from '../audit/html';
import { UsersAudit } from '../audit/users';

const USAGE = 'usage: npm run audit -- [--env NAME] [--users-file FILE] [--json | --markdown] [--html FILE] [--compare PREVIOUS.json] [--unrecorded FILE] [--no-users] [--tenant PATH] [--policy PATH]';

void runCommand(async () => {
  const { values } = commandArgs('audit', USAGE, {
    env: { type: 'string' },
    'users-file': { type: 'string' },
    json: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    'no-users': { type: 'boolean', default: false },
    tenant: { type: 'string', default: 'tenant.yaml' },
    policy: { type: 'string' },
    html: { type: 'string' },
    compare: { type: 'string' },
    unrecorded: { type: 'string' },
  });
  if (values.json && values.markdown) throw new ProjectError('usage', '--json and --markdown exclude each other', { hint: USAGE });
  if (values.env === ALL_ENVIRONMENTS) throw new ProjectError('usage', 'audit takes one environment at a time', { hint: 'e.g. npm run audit -- --env production' });
  // The earlier report is read first: a file that is not one stops the audit before anything is sent.
  const previous = values.compare === undefined ? undefined : readPreviousReport(values.compare);
  const environment = values.env === undefined ? undefined : readEnvironment(values.tenant, values.env);
  if (environment) refuseLiteralCredentials(environment);
  if (environment) requireCredentials(environment);
  await buildActions({ tenantPath: values.tenant, policyFile: values.policy, environment });
  const project = loadProject(values.tenant, values.policy, environment);
  if (values.unrecorded !== undefined && values['no-users']) throw new ProjectError('usage', '--unrecorded lists users, which --no-users leaves out', { hint: USAGE });
  // Every user without a record, one id a line, as the audit meets them (memory stays flat).
  const unrecorded = values.unrecorded === undefined ? undefined : createWriteStream(values.unrecorded, { mode: 0o600 });
  const audit = new UsersAudit(project.compiled, project.policy.metadataKey, unrecorded ? (userId) => unrecorded.write(`${userId}\n`) : undefined);
  const target = await openTarget(environment);
  let report: AuditReport;
  try {
    const { mappings } = keywordMappings(readTenantFile(values.tenant), target, environment);
    const policy = policyFor(policyFileFor(values.tenant, values.policy), environment);
    const desired = await desiredTenant(values.tenant, mappings, policy);
    const live = await liveTenant(target.management, Object.keys(desired.triggers), policy);
    const drift = driftFrom(computePlan(target.label, desired, live, { allowDelete: false, ledger: readLedger(target.ledgerFile) }));
    let users = null;
    if (!values['no-users']) {
      const source = values['users-file'] ? await usersFromFile(values['users-file']) : await usersFromExportJob(target);
      await auditUsers(source, audit, process.stderr.isTTY === true);
      users = audit.result();
      // Without identities no user has a connection: every one would count as unmanaged, and the audit pass.
      if (values['users-file'] && users.users > 0 && users.withConnection === 0) {
        throw new ProjectError('usage', `${values['users-file']} has no user with identities: the audit cannot tell which connection any of its ${users.users.toLocaleString('en')} users is on`, {
          hint: `export the users with the fields the audit reads — ${EXPORT_FIELDS.join(', ')} — (a users export job: POST /api/v2/jobs/users-exports with those fields, which npm run audit runs itself without --users-file)`,
        });
      }
    }
    const logs = await readDenials(target.management);
    const denials = 'denials' in logs ? logs.denials : logs.unavailable;
    report = {
      target: values['users-file'] ? `${target.label}, users from ${values['users-file']}` : target.label,
      generatedAt: new Date().toISOString(),
      drift,
      users,
      denials,
      broken: drift.length > 0 || (users?.violations ?? 0) > 0 || (users?.unreadable ?? 0) > 0,
    };
  } finally {
    await target.close();
    if (unrecorded) await new Promise((resolve) => unrecorded.end(resolve));
  }
  if (unrecorded && values.unrecorded !== undefined) console.error(`the ids of the ${report.users?.users === undefined ? '' : `${(report.users.users - report.users.recorded).toLocaleString('en')} `}users without a record are in ${values.unrecorded}`);
  if (previous) report.changes = compareReports(previous, report);
  if (values.html !== undefined) {
    writeFileSync(values.html, await renderHtml(report));
    console.error(`the HTML report is in ${values.html}`);
  }
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else if (values.markdown) console.log(formatMarkdown(report));
  else console.log(formatText(report));
  return report.broken ? EXIT.findings : EXIT.ok;
});
