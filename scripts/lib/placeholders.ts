/** Where tenant.yaml and the files it loads use ##KEY## / @@KEY@@ placeholders, located. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Location } from './errors';
import { placeholders, placeholderUses } from './keywords';
import { isSecretOption } from './secrets';
import { loadedFiles, tenantConnections } from './tenant-model';
import type { TenantFile } from './tenant-yaml';

/** Where a placeholder is used: a value of tenant.yaml or a line of a file it loads. */
export interface PlaceholderUse {
  name: string;
  location: Location;
  /** Readable place, e.g. `options.client_secret of "google-oauth2"`. */
  where: string;
  /** The use fills a field that holds a secret. */
  secret: boolean;
}

/** Every placeholder use in tenant.yaml's values and in the files it loads, located, in file order. */
export function placeholderUsesOf(tenant: TenantFile): PlaceholderUse[] {
  const found: PlaceholderUse[] = [];
  const connections = tenantConnections(tenant.data);
  for (const [name, paths] of placeholderUses(tenant.data)) {
    for (const place of paths) {
      const connection = connections.find((c) => c.section === place[0] && c.path[1] === place[1]);
      const field = place.slice(connection ? 2 : 0).join('.');
      found.push({
        name,
        location: tenant.locate(place, 'value'),
        where: connection ? `${field} of "${connection.name}"` : field,
        secret: connection !== undefined && place[2] === 'options' && isSecretOption(connection.strategy, place.slice(3)),
      });
    }
  }
  for (const unquoted of tenant.unquotedPlaceholders) {
    found.push({ name: unquoted.name, location: unquoted.location, where: `the unquoted value at line ${unquoted.location.line}`, secret: false });
  }
  for (const loaded of loadedFiles(tenant.data, tenant.dir)) {
    if (!existsSync(loaded.file)) continue;
    const lines = readFileSync(loaded.file, 'utf8').split('\n');
    const display = path.relative(process.cwd(), loaded.file) || loaded.file;
    lines.forEach((line, index) => {
      for (const name of placeholders(line)) {
        const col = Math.max(line.indexOf(`##${name}##`), line.indexOf(`@@${name}@@`)) + 1;
        found.push({ name, location: { file: display, line: index + 1, col }, where: `${display} (options.${loaded.at.join('.')} of "${loaded.connection.name}")`, secret: false });
      }
    });
  }
  return found.sort((a, b) => a.location.file.localeCompare(b.location.file) || a.location.line - b.location.line || a.location.col - b.location.col);
}

/** The environment variable name a value called `name` would have: `corp-oidc_client_secret` → `CORP_OIDC_CLIENT_SECRET`. */
export function placeholderName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase() || 'SECRET';
}
