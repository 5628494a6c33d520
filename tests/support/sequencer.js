/**
 * Longest suites first, so that the last minutes of a parallel run are not one long suite alone. jest orders
 * by each suite's time in its previous run, but a fresh clone (CI) has none and falls back to file size,
 * which puts short files that run a0deploy last. There, these seconds from a parallel run on a 2-core
 * machine stand in; a suite not listed takes a few seconds at most.
 */
const Sequencer = require('@jest/test-sequencer').default;
const path = require('node:path');

const MEASURED_SECONDS = {
  'backfill.e2e': 400, 'workflow.e2e': 309, 'a0deploy-example.e2e': 280, 'under-attack': 82, 'team-app.e2e': 56, 'command-line.e2e': 35, 'deploy.e2e': 166, 'action-dependencies.e2e': 141, 'logins.e2e': 96, 'first-week': 94,
  'secrets.e2e': 93, 'environments.e2e': 87, 'audit.e2e': 81, 'audit-report.e2e': 78, 'fork.e2e': 76,
  'start.e2e': 70, properties: 60, 'browser.e2e': 50, 'local-tenant-faults': 48, 'oidc-logins.e2e': 37,
  'local-tenant': 32, check: 27, environments: 19, 'check-mutations': 16, 'post-login': 12, 'local-tenant-load': 12,
  'login-fidelity': 12, 'tenant-command.e2e': 12, runtime: 8, 'check-corpus': 7, 'sdk-clients.e2e': 7,
};

class LongestFirst extends Sequencer {
  time(test) {
    const measured = MEASURED_SECONDS[path.basename(test.path).replace(/\.test\.ts$/, '')];
    return super.time(test) ?? (measured === undefined ? undefined : measured * 1000);
  }
}

module.exports = LongestFirst;
