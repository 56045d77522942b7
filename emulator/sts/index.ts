import type { ActionDef } from '../action';

/**
 * STS 2015-04-01, RPC style like RAM (`POST /` routed by x-acs-action, PascalCase bodies). Only GetCallerIdentity:
 * who the signing key belongs to, which a client needs to know its own principal id. The callers here are the account
 * (root keys) and RAM users; there are no STS tokens, so never `AssumedRoleUser`.
 */
export const stsActions: readonly ActionDef[] = [
  {
    product: 'sts',
    name: 'GetCallerIdentity',
    // Documented: "No authorization for this operation".
    need: 'anyone',
    run({ world, caller }) {
      const accountId = world.account.id;
      if (caller.kind === 'root') {
        return {
          IdentityType: 'Account',
          AccountId: accountId,
          UserId: accountId,
          PrincipalId: accountId,
          Arn: `acs:ram::${accountId}:root`,
        };
      }
      return {
        IdentityType: 'RAMUser',
        AccountId: accountId,
        UserId: caller.uid,
        PrincipalId: caller.uid,
        Arn: `acs:ram::${accountId}:user/${caller.user.name}`,
      };
    },
  },
];
