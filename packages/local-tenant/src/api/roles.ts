/**
 * Roles and their permissions, as a0deploy deploys tenant.yaml's `roles` and as Actions read them: a
 * permission is a scope of one of the tenant's APIs; a user's roles (users.ts) reach post-login as
 * `event.authorization.roles`.
 */
import { randomBytes } from 'node:crypto';
import { badRequest, conflict, notFound, type Route } from '../http';
import type { StateStore, StoredRole } from '../state';
import { findResourceServer } from './resource-servers';
import { array, listBody, object, onlyKeys, string } from './validate';

function roles(store: StateStore): StoredRole[] {
  return (store.state.roles ??= []);
}

function findRole(store: StateStore, id: string): StoredRole {
  const role = roles(store).find((candidate) => candidate.id === id);
  if (!role) throw notFound('The role does not exist.', 'inexistent_role');
  return role;
}

const publicRole = ({ id, name, description }: StoredRole) => ({ id, name, description });

/** `{ permissions: [{ permission_name, resource_server_identifier }] }`, each a scope of an API of the tenant. */
function permissionsOf(store: StateStore, body: unknown): StoredRole['permissions'] {
  const list = array(object(body), 'permissions');
  if (!list || list.length === 0) throw badRequest('Payload validation error: Missing required property: permissions');
  return list.map((item) => {
    const permission = object(item, 'permissions item');
    const name = string(permission, 'permission_name', { required: true, max: 280 }) as string;
    const identifier = string(permission, 'resource_server_identifier', { required: true, max: 600 }) as string;
    const server = findResourceServer(store, identifier);
    if (!server) throw notFound(`Resource server with identifier ${identifier} does not exist.`, 'inexistent_resource_server');
    if (!server.scopes.some((scope) => scope.value === name)) throw badRequest(`Permission ${name} does not exist on ${identifier}.`, 'invalid_body');
    return { permission_name: name, resource_server_identifier: identifier };
  });
}

const sameAs = (a: StoredRole['permissions'][number]) => (b: StoredRole['permissions'][number]) => a.permission_name === b.permission_name && a.resource_server_identifier === b.resource_server_identifier;

/** A paged list as Auth0 answers it: an array, or `{ [field], start, limit, total }` with include_totals. */
export function listed<T>(query: URLSearchParams, field: string, items: T[]) {
  return { status: 200, body: listBody(items, query, field) };
}

export function roleRoutes(store: StateStore): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v2/roles', scopes: ['read:roles'],
      handler: ({ query }) => {
        const filter = query.get('name_filter');
        return listed(query, 'roles', roles(store).filter((role) => filter === null || role.name.toLowerCase().includes(filter.toLowerCase())).map(publicRole));
      },
    },
    {
      method: 'POST',
      path: '/api/v2/roles', scopes: ['create:roles'],
      handler: ({ body }) => {
        const fields = object(body);
        onlyKeys(fields, ['name', 'description']);
        const name = string(fields, 'name', { required: true, max: 50 }) as string;
        if (roles(store).some((role) => role.name === name)) throw conflict('A role with this name already exists', 'role_conflict');
        const role: StoredRole = { id: `rol_${randomBytes(8).toString('hex')}`, name, description: string(fields, 'description', { max: 140 }) ?? '', permissions: [] };
        roles(store).push(role);
        store.save();
        return { status: 200, body: publicRole(role) };
      },
    },
    { method: 'GET', path: '/api/v2/roles/:id', scopes: ['read:roles'], handler: ({ params }) => ({ status: 200, body: publicRole(findRole(store, params.id ?? '')) }) },
    {
      method: 'PATCH',
      path: '/api/v2/roles/:id', scopes: ['update:roles'],
      handler: ({ params, body }) => {
        const role = findRole(store, params.id ?? '');
        const fields = object(body);
        onlyKeys(fields, ['name', 'description']);
        const name = string(fields, 'name', { max: 50 });
        if (name !== undefined && roles(store).some((other) => other.name === name && other !== role)) throw conflict('A role with this name already exists', 'role_conflict');
        if (name !== undefined) role.name = name;
        const description = string(fields, 'description', { max: 140 });
        if (description !== undefined) role.description = description;
        store.save();
        return { status: 200, body: publicRole(role) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/roles/:id', scopes: ['delete:roles'],
      handler: ({ params }) => {
        const role = findRole(store, params.id ?? '');
        store.state.roles = roles(store).filter((candidate) => candidate !== role);
        for (const [user, ids] of Object.entries(store.state.userRoles ?? {})) (store.state.userRoles ?? {})[user] = ids.filter((id) => id !== role.id);
        store.save();
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/roles/:id/permissions', scopes: ['read:roles'],
      handler: ({ params, query }) => {
        const role = findRole(store, params.id ?? '');
        const detailed = role.permissions.map((permission) => {
          const server = findResourceServer(store, permission.resource_server_identifier);
          const scope = server?.scopes.find((candidate) => candidate.value === permission.permission_name);
          return { ...permission, resource_server_name: server?.name ?? '', description: scope?.description ?? '' };
        });
        return listed(query, 'permissions', detailed);
      },
    },
    {
      method: 'POST',
      path: '/api/v2/roles/:id/permissions', scopes: ['update:roles'],
      handler: ({ params, body }) => {
        const role = findRole(store, params.id ?? '');
        for (const permission of permissionsOf(store, body)) if (!role.permissions.some(sameAs(permission))) role.permissions.push(permission);
        store.save();
        return { status: 201 };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/roles/:id/permissions', scopes: ['update:roles'],
      handler: ({ params, body }) => {
        const role = findRole(store, params.id ?? '');
        const removed = array(object(body), 'permissions') ?? [];
        role.permissions = role.permissions.filter((permission) => !removed.some((item) => sameAs(permission)(object(item, 'permissions item') as StoredRole['permissions'][number])));
        store.save();
        return { status: 204 };
      },
    },
  ];
}
