/**
 * Runs the installed auth0-deploy-cli (`a0deploy import`) as a child process. Its configuration goes
 * through a temporary config file with `--env=false`, so only the placeholders tenant.yaml names become
 * keyword mappings (with the CLI's default `--env`, a0deploy would map every environment variable).
 * Every line it prints passes a redactor: no secret value reaches the terminal.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { KeywordMappings } from '../lib/keywords';
import type { Target } from '../lib/target';

export interface A0deployOptions {
  tenantPath: string;
  target: Target;
  mappings: KeywordMappings;
  /** Values no output may show (the mappings' secrets); the client secret is always among them. */
  secrets: readonly string[];
  sections: readonly string[];
  allowDelete: boolean;
  /** Receives each line a0deploy prints, redacted. */
  onLine: (line: string) => void;
}

export function a0deployBin(): string {
  const manifest = require.resolve('auth0-deploy-cli/package.json');
  const { bin } = require(manifest) as { bin: Record<string, string> };
  return path.join(path.dirname(manifest), bin.a0deploy ?? 'lib/index.js');
}

/** Replaces every secret value in a line with `***`. */
export function redactor(secrets: readonly string[]): (line: string) => string {
  const values = [...new Set(secrets.filter((secret) => secret.length >= 4))].sort((a, b) => b.length - a.length);
  return (line) => values.reduce((text, secret) => text.split(secret).join('***'), line);
}

export interface A0deployRun {
  code: number;
  /** Set when a signal (Ctrl-C) stopped the run part-way: a0deploy was stopped with it. */
  interrupted?: NodeJS.Signals;
}

/**
 * Runs an a0deploy command to its end, with its configuration in a file only the owner reads. Ctrl-C (or
 * SIGTERM) stops it: the signal goes on to a0deploy and its whole process group, the configuration file — which
 * holds the client's secret and every placeholder's value — is removed at once, and the run ends `interrupted`
 * for the caller to say what the tenant has.
 */
async function runDeployCli(
  command: string[],
  config: Record<string, unknown>,
  options: { target: Pick<Target, 'domain' | 'clientId' | 'clientSecret' | 'caPath'>; secrets: readonly string[]; onLine: (line: string) => void },
): Promise<A0deployRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'a0deploy-'));
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ AUTH0_DOMAIN: options.target.domain, AUTH0_CLIENT_ID: options.target.clientId, AUTH0_CLIENT_SECRET: options.target.clientSecret, ...config }), { mode: 0o600 });
  const redact = redactor([options.target.clientSecret, ...options.secrets]);
  let interrupted: NodeJS.Signals | undefined;
  const child = spawn(process.execPath, [a0deployBin(), ...command, '-c', file, '--env=false'], {
    env: { ...process.env, ...(options.target.caPath ? { NODE_EXTRA_CA_CERTS: options.target.caPath } : {}), FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A group of its own, so that stopping it stops whatever it started.
    detached: true,
  });
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    rmSync(dir, { recursive: true, force: true });
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const forward = (stream: NodeJS.ReadableStream) => createInterface({ input: stream }).on('line', (line) => options.onLine(redact(line.replace(/\u001b\[[0-9;]*m/g, ''))));
    forward(child.stdout);
    forward(child.stderr);
    const code = await new Promise<number>((resolve) => {
      child.on('error', () => resolve(1));
      child.on('close', (exit) => resolve(exit ?? 1));
    });
    return interrupted ? { code, interrupted } : { code };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `a0deploy import` of tenant.yaml: only the sections named, deletes only when allowed. */
export function runA0deploy(options: A0deployOptions): Promise<A0deployRun> {
  return runDeployCli(['import', '-i', path.resolve(options.tenantPath)], {
    AUTH0_INCLUDED_ONLY: options.sections,
    AUTH0_ALLOW_DELETE: options.allowDelete,
    AUTH0_KEYWORD_REPLACE_MAPPINGS: options.mappings,
  }, options);
}

/** `a0deploy export --format yaml` of a tenant into `outputDir`: read-only. */
export function exportWithA0deploy(options: { target: Pick<Target, 'domain' | 'clientId' | 'clientSecret' | 'caPath'>; outputDir: string; onLine: (line: string) => void }): Promise<A0deployRun> {
  return runDeployCli(['export', '--format', 'yaml', '--output_folder', options.outputDir], {}, { ...options, secrets: [] });
}
