import { type AlibabaErrorCode, AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
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

/** The naming rule of a kind of RAM entity, and the codes for breaking it. */
interface NameRule {
  field: string;
  maxLength: number;
  chars: RegExp;
  /** What `chars` allows, in words. */
  allowed: string;
  charsCode: AlibabaErrorCode;
  lengthCode: AlibabaErrorCode;
}

const USER_NAME: NameRule = {
  field: 'UserName',
  maxLength: 64,
  chars: /^[A-Za-z0-9._-]+$/,
  allowed: 'letters, digits, periods (.), hyphens (-) and underscores (_)',
  charsCode: E.invalidUserName,
  lengthCode: E.invalidUserNameLength,
};

const ROLE_NAME: NameRule = {
  field: 'RoleName',
  maxLength: 64,
  chars: /^[A-Za-z0-9.-]+$/,
  allowed: 'letters, digits, periods (.) and hyphens (-)',
  charsCode: E.invalidRoleName,
  lengthCode: E.invalidRoleNameLength,
};

const POLICY_NAME: NameRule = {
  field: 'PolicyName',
  maxLength: 128,
  chars: /^[A-Za-z0-9-]+$/,
  allowed: 'letters, digits and hyphens (-)',
  charsCode: E.invalidPolicyName,
  lengthCode: E.invalidPolicyNameLength,
};

function nameParam(q: Record<string, string>, rule: NameRule): string {
  const name = required(q, rule.field);
  if (name.length > rule.maxLength) {
    throw new ApiError(rule.lengthCode, 400, `The length of ${rule.field} must be from 1 to ${rule.maxLength}.`);
  }
  if (!rule.chars.test(name))
    throw new ApiError(rule.charsCode, 400, `${rule.field} may contain only ${rule.allowed}.`);
  return name;
}

export const userNameParam = (q: Record<string, string>): string => nameParam(q, USER_NAME);
/** A new role's name (existing ones are looked up as they are). */
export const roleNameParam = (q: Record<string, string>): string => nameParam(q, ROLE_NAME);
/** A new custom policy's name. */
export const policyNameParam = (q: Record<string, string>): string => nameParam(q, POLICY_NAME);

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
