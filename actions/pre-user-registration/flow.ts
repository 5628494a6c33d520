/**
 * The pre-user-registration Action's steps, in order:
 * 1. resolve the connection (tenant.yaml's table, or what `unmanagedConnections` says);
 * 2. check what signup supplied: sources (may signup set it on this connection?), required attributes,
 *    value rules;
 * 3. deny on the first violation the policy denies, with a stable reason code and a message for the user;
 * 4. otherwise stamp provenance `signup` for the attributes it let through — except on passwordless
 *    connections, where Auth0 allows no metadata at this trigger.
 */
import { ROOT_ATTRIBUTES, type RecordedSource, type RootAttribute } from '../lib/attributes';
import type { CompiledPolicy } from '../lib/compile-policy';
import { attributeDigest, profileDigest } from '../lib/digest';
import { enforce } from '../lib/enforce';
import { id, log } from '../lib/log';
import { RECORD_VERSION, type ProvenanceRecord } from '../lib/provenance-record';
import { requiredViolations, sourceViolations, emailOf, trackedValues, valueViolations } from '../lib/violations';
import type { Event, PreUserRegistrationAPI } from '../types/pre-user-registration';

export function preUserRegistrationFlow(compiled: CompiledPolicy, clock: () => Date = () => new Date()) {
  const { metadataKey } = compiled.policy;
  return async function onExecutePreUserRegistration(event: Event, api: PreUserRegistrationAPI): Promise<void> {
    try {
      const connectionName = id(event?.connection?.name);
      const connection = compiled.connection(connectionName);
      if (connection === 'ignore') return;
      if (connection === 'deny') {
        log({ event: 'unmanaged_connection', connection: connectionName, handling: 'deny' });
        log({ event: 'signup_denied', connection: connectionName, code: 'connection.unmanaged' });
        api.access.deny('connection.unmanaged', 'Sign-up is not available with this method.');
        return;
      }

      const values = trackedValues(event.user);
      const supplied: { [A in RootAttribute]?: RecordedSource } = {};
      for (const attribute of ROOT_ATTRIBUTES) if (values[attribute] !== undefined) supplied[attribute] = 'signup';
      const violations = [
        ...sourceViolations(connection, supplied, 'signup'),
        ...requiredViolations(connection, values),
        ...valueViolations(compiled, values, emailOf(event.user)),
      ];
      const codes = violations.map((violation) => violation.code);
      const { denied, flagged } = enforce(connection, codes, 'signup');
      if (denied) {
        const violation = violations.find((candidate) => candidate.code === denied);
        log({ event: 'signup_denied', connection: connection.name, code: denied });
        api.access.deny(denied, violation?.message ?? 'Your profile isn\'t accepted here.');
        return;
      }
      for (const code of flagged) {
        log({ event: 'root_attribute_violation', user_id: '', connection: connection.name, code, enforcement: 'flag' });
      }
      if (connection.kind === 'passwordless') return;

      const at = clock().toISOString();
      const attributes: ProvenanceRecord['attributes'] = {};
      for (const attribute of ROOT_ATTRIBUTES) {
        const value = values[attribute];
        if (value !== undefined) attributes[attribute] = { source: 'signup', at, digest: attributeDigest(attribute, value) };
      }
      const record: ProvenanceRecord = {
        v: RECORD_VERSION,
        connection: connection.name,
        digest: profileDigest(values),
        policy: compiled.fingerprint,
        attributes,
        violations: codes,
      };
      api.user.setAppMetadata(metadataKey, record);
    } catch (error) {
      // Never throw from an Action: a throw fails the signup with a generic error.
      log({ event: 'action_error', trigger: 'pre-user-registration', error: error instanceof Error ? error.name : typeof error });
    }
  };
}
