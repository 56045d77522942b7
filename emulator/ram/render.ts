import { policyKey, type PolicyAttachment, type RoleState, type UserState, type WorldState } from '../state/world';
import { iso } from '../time';

/** RAM response bodies: PascalCase fields, lists wrapped as `{ Plural: { Singular: [...] } }`. */

export function userBody(u: UserState, withLastLogin: boolean): Record<string, unknown> {
  return {
    UserId: u.id,
    UserName: u.name,
    DisplayName: u.displayName,
    ...(u.email !== undefined && { Email: u.email }),
    ...(u.mobilePhone !== undefined && { MobilePhone: u.mobilePhone }),
    ...(u.comments !== undefined && { Comments: u.comments }),
    CreateDate: iso(u.created),
    UpdateDate: iso(u.updated),
    ...(withLastLogin && u.lastLogin !== undefined && { LastLoginDate: iso(u.lastLogin) }),
  };
}

export function roleBody(r: RoleState, accountId: string, full: boolean): Record<string, unknown> {
  return {
    RoleId: r.id,
    RoleName: r.name,
    // RAM lower-cases the role name in ARNs.
    Arn: `acs:ram::${accountId}:role/${r.name.toLowerCase()}`,
    Description: r.description,
    ...(full && { AssumeRolePolicyDocument: r.assumeRolePolicyDocument }),
    MaxSessionDuration: r.maxSessionDuration,
    CreateDate: iso(r.created),
    UpdateDate: iso(r.updated),
  };
}

export function policyList(world: WorldState, attachments: PolicyAttachment[]): Record<string, unknown> {
  // Direct, account-scope attachments only (resource-group ones are listed elsewhere in the real API).
  return {
    Policies: {
      Policy: attachments
        .filter((a) => !a.resourceGroupId)
        .map((a) => {
          const p = world.policies.get(policyKey(a.type, a.name));
          return {
            PolicyName: a.name,
            PolicyType: a.type,
            Description: p?.description ?? '',
            DefaultVersion: p?.defaultVersion ?? 'v1',
            AttachDate: iso(a.attached),
          };
        }),
    },
  };
}

export function loginProfileBody(
  userName: string,
  lp: NonNullable<UserState['loginProfile']>,
): Record<string, unknown> {
  return {
    UserName: userName,
    CreateDate: iso(lp.created),
    PasswordResetRequired: lp.passwordResetRequired,
    MFABindRequired: lp.mfaBindRequired,
  };
}
