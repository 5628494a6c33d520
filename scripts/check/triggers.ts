/**
 * Trigger bindings: known trigger ids, each binding naming an action of tenant.yaml that supports the
 * trigger and is deployed (Auth0 refuses to bind one that is not), no duplicates, at most 20 per trigger.
 */
import { DEPLOY_CLI_TRIGGERS } from '../lib/deploy-cli';
import { nearest } from '../lib/suggest';
import { isRecord } from '../lib/tenant-model';
import { tenantActions } from './actions';
import { defineRule, type CheckContext, type Rule } from './types';

const MAX_BINDINGS = 20;

interface Binding {
  trigger: string;
  index: number;
  actionName: string | undefined;
}

function* triggerLists(context: CheckContext): Iterable<[string, unknown]> {
  const triggers = context.data.triggers;
  if (isRecord(triggers)) yield* Object.entries(triggers);
}

function* bindings(context: CheckContext): Iterable<Binding> {
  for (const [trigger, list] of triggerLists(context)) {
    if (!Array.isArray(list)) continue;
    for (const [index, binding] of list.entries()) {
      const name = isRecord(binding) && typeof binding.action_name === 'string' ? binding.action_name : undefined;
      yield { trigger, index, actionName: name };
    }
  }
}

/** Bindings that name an action of tenant.yaml, with that action. */
function* boundActions(context: CheckContext) {
  const actions = tenantActions(context.data, context.tenant.dir);
  for (const binding of bindings(context)) {
    const action = actions.find((candidate) => candidate.name === binding.actionName);
    if (action) yield { binding, action, location: context.tenant.locate(['triggers', binding.trigger, binding.index, 'action_name']) };
  }
}

export const TRIGGER_RULES: readonly Rule[] = [
  defineRule({
    id: 'trigger-unknown',
    severity: 'error',
    description: 'Each key under `triggers:` is a trigger id a0deploy and Auth0 know.',
    hint: 'use a known trigger id',
    *check(context) {
      const known = DEPLOY_CLI_TRIGGERS;
      for (const [trigger] of triggerLists(context)) {
        if (known.includes(trigger)) continue;
        const suggestion = nearest(trigger, known);
        yield { location: context.tenant.locate(['triggers', trigger], 'key'), message: `"${trigger}" is not a trigger Auth0 has`, ...(suggestion ? { hint: `did you mean ${suggestion}?` } : {}) };
      }
    },
  }),
  defineRule({
    id: 'binding-invalid',
    severity: 'error',
    description: 'Each trigger holds a list of bindings, each with an `action_name`.',
    hint: 'write bindings as `- action_name: my-action` with an optional `display_name`',
    *check(context) {
      for (const [trigger, list] of triggerLists(context)) {
        if (list !== null && !Array.isArray(list)) yield { location: context.tenant.locate(['triggers', trigger]), message: `the bindings of ${trigger} must be a list` };
      }
      for (const binding of bindings(context)) {
        if (binding.actionName === undefined) yield { location: context.tenant.locate(['triggers', binding.trigger, binding.index]), message: `binding ${binding.index + 1} of ${binding.trigger} has no action_name` };
      }
    },
  }),
  defineRule({
    id: 'binding-action-unknown',
    severity: 'error',
    description: 'Each binding names an action defined in tenant.yaml.',
    hint: 'add the action under `actions:`, or correct the name',
    *check(context) {
      const names = tenantActions(context.data, context.tenant.dir).map((action) => action.name);
      for (const binding of bindings(context)) {
        if (binding.actionName === undefined || names.includes(binding.actionName)) continue;
        const suggestion = nearest(binding.actionName, names);
        yield {
          location: context.tenant.locate(['triggers', binding.trigger, binding.index, 'action_name']),
          message: `${binding.trigger} binds "${binding.actionName}", which is not an action of tenant.yaml`,
          ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}),
        };
      }
    },
  }),
  defineRule({
    id: 'binding-trigger-unsupported',
    severity: 'error',
    description: 'A bound action lists the trigger in its supported_triggers.',
    hint: 'bind the action to a trigger it supports, or add the trigger to its supported_triggers',
    *check(context) {
      for (const { binding, action, location } of boundActions(context)) {
        if (action.triggers.some((trigger) => trigger.id === binding.trigger)) continue;
        yield { location, message: `"${action.name}" does not support ${binding.trigger}` };
      }
    },
  }),
  defineRule({
    id: 'binding-not-deployed',
    severity: 'error',
    description: 'A bound action has `deployed: true`: Auth0 refuses to bind an action that was never deployed.',
    hint: 'add `deployed: true` to the action',
    *check(context) {
      for (const { binding, action, location } of boundActions(context)) {
        if (action.item.deployed === true) continue;
        yield { location, message: `"${action.name}" is bound to ${binding.trigger} but not deployed: true` };
      }
    },
  }),
  defineRule({
    id: 'binding-duplicate',
    severity: 'error',
    description: 'An action is bound to a trigger once.',
    hint: 'remove the second binding',
    *check(context) {
      const seen = new Set<string>();
      for (const binding of bindings(context)) {
        if (binding.actionName === undefined) continue;
        const key = `${binding.trigger}\u0000${binding.actionName}`;
        if (seen.has(key)) yield { location: context.tenant.locate(['triggers', binding.trigger, binding.index, 'action_name']), message: `"${binding.actionName}" is bound to ${binding.trigger} twice` };
        seen.add(key);
      }
    },
  }),
  defineRule({
    id: 'bindings-too-many',
    severity: 'error',
    description: `A trigger has at most ${MAX_BINDINGS} bound actions (Auth0's limit).`,
    hint: 'merge actions',
    *check(context) {
      for (const [trigger, list] of triggerLists(context)) {
        if (Array.isArray(list) && list.length > MAX_BINDINGS) yield { location: context.tenant.locate(['triggers', trigger]), message: `${trigger} has ${list.length} bindings; Auth0 allows ${MAX_BINDINGS}` };
      }
    },
  }),
];
