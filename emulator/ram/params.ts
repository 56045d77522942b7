import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { ApiError } from '../api-error';
import { parseBoolean, parseInteger } from '../param-types';
import { type DocumentKind, MAX_POLICY_DOCUMENT_LENGTH, parsePolicyDocument } from '../state/policy-document';
import { policyKey, type PolicyState, type RoleState, type UserState, type WorldState } from '../state/world';

/** RAM request parameters (all in the query) and the entities they name; each refusal is RAM's own error. */

export function required(q: Record<string, string>, name: string): string {
  const v = q[name];
  if (v === undefined || v === '') {
    throw new ApiError(
      E.missingParameter,
      400,
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    );
  }
  return v;
}

export function userNameParam(q: Record<string, string>): string {
  const name = required(q, 'UserName');
  if (name.length > 64)
    throw new ApiError(E.invalidUserNameLength, 400, 'The length of UserName must be from 1 to 64.');
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new ApiError(
      E.invalidUserName,
      400,
      'UserName may contain only letters, digits, periods (.), hyphens (-) and underscores (_).',
    );
  }
  return name;
}

/** A Boolean parameter in any SDK's rendering (param-types.ts); `dflt` when absent. */
export function boolParam(q: Record<string, string>, name: string, dflt: boolean): boolean {
  const v = q[name];
  if (v === undefined || v === '') return dflt;
  const b = parseBoolean(v);
  if (b === undefined) throw new ApiError(E.ramInvalidParameter, 400, `${name} must be true or false.`);
  return b;
}

/** An Integer parameter within [min, max]; undefined when absent. */
export function intParam(q: Record<string, string>, name: string, min: number, max: number): number | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  const n = parseInteger(v);
  if (n === undefined || n < min || n > max) {
    throw new ApiError(E.ramInvalidParameter, 400, `${name} must be an integer from ${min} to ${max}.`);
  }
  return n;
}

/** A policy document parameter, checked as RAM checks it (state/policy-document.ts). */
export function policyDocumentParam(q: Record<string, string>, name: string, kind: DocumentKind): string {
  const text = required(q, name);
  if (text.length > MAX_POLICY_DOCUMENT_LENGTH) {
    throw new ApiError(E.invalidPolicyDocumentLength, 400, `${name} exceeds ${MAX_POLICY_DOCUMENT_LENGTH} characters.`);
  }
  const problem = parsePolicyDocument(text, kind);
  if (typeof problem === 'string') throw new ApiError(E.malformedPolicyDocument, 400, problem);
  return text;
}

/** A new role's name: 1–64 letters, digits, periods or hyphens. */
export function roleNameParam(q: Record<string, string>): string {
  const name = required(q, 'RoleName');
  if (name.length > 64) throw new ApiError(E.invalidRoleNameLength, 400, 'The length of RoleName must be 1 to 64.');
  if (!/^[A-Za-z0-9.-]+$/.test(name)) {
    throw new ApiError(
      E.invalidRoleName,
      400,
      'RoleName may contain only letters, digits, periods (.) and hyphens (-).',
    );
  }
  return name;
}

/** A custom policy's name: 1–128 letters, digits or hyphens. */
export function policyNameParam(q: Record<string, string>): string {
  const name = required(q, 'PolicyName');
  if (name.length > 128) {
    throw new ApiError(E.invalidPolicyNameLength, 400, 'The length of PolicyName must be 1 to 128.');
  }
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw new ApiError(E.invalidPolicyName, 400, 'PolicyName may contain only letters, digits and hyphens (-).');
  }
  return name;
}

/** The user named by `UserName`. */
export function requireUser(world: WorldState, q: Record<string, string>): UserState {
  const name = userNameParam(q);
  const user = world.users.get(name);
  if (!user) throw new ApiError(E.userNotFound, 404, `The user does not exist: ${name}.`);
  return user;
}

/** The role named by `RoleName`. */
export function requireRole(world: WorldState, q: Record<string, string>): RoleState {
  const name = required(q, 'RoleName');
  const role = world.roles.get(name);
  if (!role) throw new ApiError(E.roleNotFound, 404, `The role does not exist: ${name}.`);
  return role;
}

/** The name in `GroupName`, once the group is known to exist. */
export function requireGroup(world: WorldState, q: Record<string, string>): string {
  const name = required(q, 'GroupName');
  if (!world.groups.has(name)) throw new ApiError(E.groupNotFound, 404, `The group does not exist: ${name}.`);
  return name;
}

/** The policy named by `PolicyType` and `PolicyName`. */
export function requirePolicy(world: WorldState, q: Record<string, string>): PolicyState {
  const type = q.PolicyType;
  if (type !== 'System' && type !== 'Custom') {
    throw new ApiError(E.invalidPolicyType, 400, 'PolicyType must be System or Custom.');
  }
  const name = required(q, 'PolicyName');
  const policy = world.policies.get(policyKey(type, name));
  if (!policy) throw new ApiError(E.policyNotFound, 404, `The policy does not exist: ${type} ${name}.`);
  return policy;
}
