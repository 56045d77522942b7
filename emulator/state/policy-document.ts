/**
 * RAM policy documents: checking one (CreatePolicy, CreateRole, UpdateRole) and reading its explicit denies. The
 * emulator evaluates only what the offboarding needs — `Effect: Deny` statements whose Resource is `*` and that carry
 * no Condition — and otherwise keeps the coarse system-policy model of gateway/authorize.ts.
 */

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource?: string[];
  Principal?: Record<string, unknown>;
  Condition?: unknown;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/** A permission policy needs a Resource per statement; a trust policy (who may assume a role) a Principal. */
export type DocumentKind = 'permission' | 'trust';

/** RAM's limit on a policy document's length (InvalidParameter.PolicyDocument.Length beyond). */
export const MAX_POLICY_DOCUMENT_LENGTH = 6144;

/** The document, or the problem with it (the text of a MalformedPolicyDocument error). */
export function parsePolicyDocument(text: string, kind: DocumentKind): PolicyDocument | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'The policy document is not valid JSON.';
  }
  if (typeof raw !== 'object' || raw === null) return 'The policy document must be a JSON object.';
  const { Version, Statement } = raw as Record<string, unknown>;
  if (Version !== '1') return 'The policy document must have "Version": "1".';
  if (!Array.isArray(Statement) || Statement.length === 0) return 'The policy document needs a Statement list.';
  const statements: PolicyStatement[] = [];
  for (const [i, s] of (Statement as unknown[]).entries()) {
    if (typeof s !== 'object' || s === null) return `Statement ${i} must be an object.`;
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') return `Statement ${i}: Effect must be Allow or Deny.`;
    const action = stringList(st.Action);
    if (!action) return `Statement ${i}: Action must be a string or a list of strings.`;
    const resource = stringList(st.Resource);
    if (kind === 'permission' && !resource) return `Statement ${i}: Resource must be a string or a list of strings.`;
    if (kind === 'trust' && (typeof st.Principal !== 'object' || st.Principal === null)) {
      return `Statement ${i}: a trust policy statement needs a Principal.`;
    }
    statements.push({
      Effect: st.Effect,
      Action: action,
      ...(resource && { Resource: resource }),
      ...(kind === 'trust' && { Principal: st.Principal as Record<string, unknown> }),
      ...(st.Condition !== undefined && { Condition: st.Condition }),
    });
  }
  return { Version, Statement: statements };
}

/** Whether `doc` explicitly denies `authAction` (`ram:GetUser`, `cs:CleanUserPermissions`) on every resource. */
export function deniesEverywhere(doc: PolicyDocument, authAction: string): boolean {
  return doc.Statement.some(
    (s) =>
      s.Effect === 'Deny' &&
      s.Condition === undefined &&
      (s.Resource ?? []).includes('*') &&
      s.Action.some((pattern) => actionMatches(pattern, authAction)),
  );
}

/** RAM action patterns: `*` matches any run of characters; names compare case-insensitively. */
function actionMatches(pattern: string, action: string): boolean {
  const re = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${re}$`, 'i').test(action);
}

function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string' && v !== '') return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}
