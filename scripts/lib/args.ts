/**
 * A command's arguments, the same way for every command: `--help` prints its usage; the flags npm took for
 * itself are refused; anything else is parsed strictly by node:util's parseArgs, and a mistake is a usage error.
 *
 * `npm run deploy --plan` — the `--` forgotten — does not pass `--plan` to the script: npm keeps it as its own
 * configuration and hands it on only as the variable `npm_config_plan`. The command would run without it: a real
 * deploy instead of a plan. So a flag of the command found among npm's variables stops it before it does anything.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ProjectError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * npm's own readings of a command's flag, where it is not `npm_config_<flag>`: `--no-X` sets X to empty, and a
 * flag spelt only with letters npm has shorthands for is read as those shorthands — `--plan` as -p -l -a -n
 * (parseable, long, all, no-yes), so only the first three show.
 */
function npmRead(name: string, env: NodeJS.ProcessEnv): boolean {
  const variable = (key: string) => env[`npm_config_${key.replace(/-/g, '_')}`];
  if (variable(name) !== undefined) return true;
  if (name.startsWith('no-') && variable(name.slice(3)) === '') return true;
  if (name === 'plan') return ['parseable', 'long', 'all'].every((key) => variable(key) === 'true');
  return false;
}

/** The command's flags npm took for itself in this run (`npm run NAME --flag`): none unless npm ran this command. */
export function swallowedFlags(command: string, names: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.npm_lifecycle_event !== command) return [];
  return names.filter((name) => npmRead(name, env));
}

/** Refuses a run whose flags npm swallowed, naming the command that was meant. */
export function refuseSwallowedFlags(command: string, options: Options, usage: string): void {
  const swallowed = swallowedFlags(command, Object.keys(options));
  if (swallowed.length === 0) return;
  const flags = swallowed.map((name) => `--${name}`);
  // npm hands a swallowed flag's value on as an argument of its own: the command meant needs it back beside its flag.
  const meant = swallowed.map((name) => (options[name]?.type === 'string' ? `--${name} VALUE` : `--${name}`));
  const run = command === 'start' ? 'npm start' : `npm run ${command}`;
  throw new ProjectError('usage', `npm took ${flags.join(', ')} for itself, so ${run} would run without ${swallowed.length === 1 ? 'it' : 'them'}: nothing was done`, {
    hint: `put the command's flags after --: ${run} -- ${meant.join(' ')}\n${usage}`,
  });
}

/**
 * Parses a command's arguments. With `--help` (or `-h`) it prints the usage and ends the process; with a flag
 * npm swallowed, or one the command does not take, it throws a usage error that shows the usage.
 */
export function commandArgs<const T extends Options>(command: string, usage: string, options: T, config: { allowPositionals?: boolean } = {}) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  refuseSwallowedFlags(command, options, usage);
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: config.allowPositionals ?? false });
  } catch (error) {
    throw new ProjectError('usage', (error as Error).message, { hint: usage });
  }
}
