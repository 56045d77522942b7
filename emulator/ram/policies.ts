import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';
import { policyKey, type PolicyState, type WorldState } from '../state/world';
import { iso } from '../time';
import { policyDocumentParam, policyNameParam, requirePolicy } from './params';

/**
 * Policies themselves: system ones come from the fixture; custom ones from the fixture or CreatePolicy, with a policy
 * document whose explicit denies are enforced on every call (gateway/authorize.ts). Attachments are in attachments.ts.
 */

const MAX_DESCRIPTION_LENGTH = 1024;

export const policyActions: ActionDef[] = [
  {
    product: 'ram',
    name: 'CreatePolicy',
    need: 'ram-write',
    run(ctx, { query }) {
      const { world, now } = ctx;
      const name = policyNameParam(query);
      const document = policyDocumentParam(query, 'PolicyDocument', 'permission');
      const description = query.Description ?? '';
      if (description.length > MAX_DESCRIPTION_LENGTH) {
        throw new ApiError(
          E.ramInvalidParameter,
          400,
          `Description must be at most ${MAX_DESCRIPTION_LENGTH} characters.`,
        );
      }
      const key = policyKey('Custom', name);
      if (world.policies.has(key))
        throw new ApiError(E.policyAlreadyExists, 409, `The policy already exists: ${name}.`);
      const policy: PolicyState = { name, type: 'Custom', description, defaultVersion: 'v1', created: now, document };
      world.policies.set(key, policy);
      return {
        Policy: {
          PolicyName: name,
          PolicyType: 'Custom',
          Description: description,
          DefaultVersion: 'v1',
          CreateDate: iso(now),
        },
      };
    },
  },
  {
    product: 'ram',
    name: 'GetPolicy',
    need: 'ram-read',
    run(ctx, { query }) {
      const p = requirePolicy(ctx.world, query);
      // System policies carry no document here (their grants are modelled in gateway/authorize.ts).
      const document = p.document !== undefined ? { PolicyDocument: p.document } : {};
      return {
        Policy: {
          PolicyName: p.name,
          PolicyType: p.type,
          Description: p.description,
          DefaultVersion: p.defaultVersion,
          CreateDate: iso(p.created),
          UpdateDate: iso(p.created),
          AttachmentCount: attachmentCount(ctx.world, p),
          ...document,
        },
        DefaultPolicyVersion: {
          VersionId: p.defaultVersion,
          IsDefaultVersion: true,
          CreateDate: iso(p.created),
          ...document,
        },
      };
    },
  },
];

/** How many users, roles and groups the policy is attached to. */
function attachmentCount(world: WorldState, p: PolicyState): number {
  const owners = [...world.users.values(), ...world.roles.values(), ...world.groups.values()];
  return owners.filter((o) => o.policies.some((a) => a.name === p.name && a.type === p.type)).length;
}
