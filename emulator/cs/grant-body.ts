import { z } from 'zod';
import type { GrantState, WorldState } from '../state/world';
import { invalid, requireCluster } from './params';

/** The body of GrantPermissions and UpdateUserPermissions: a JSON array of grants, checked against the scope rules. */

const PREDEFINED_ROLES = ['admin', 'admin-view', 'ops', 'dev', 'restricted'];

const grantBodySchema = z.array(
  z.object({
    cluster: z.string().optional(),
    is_custom: z.boolean().optional(),
    is_ram_role: z.boolean().optional(),
    namespace: z.string().optional(),
    role_name: z.string().optional(),
    role_type: z.string().optional(),
  }),
);

/** The grants the body lists, for a RAM role when `isRamRole`. */
export function parseGrants(world: WorldState, body: unknown, isRamRole: boolean): GrantState[] {
  const parsed = grantBodySchema.safeParse(body ?? []);
  if (!parsed.success) throw invalid('The request body must be a JSON array of permission grants.');
  const seen = new Set<string>();
  return parsed.data.map((item) => {
    const roleName = item.role_name ?? '';
    if (!roleName) throw invalid('role_name is required.');
    const custom = item.is_custom === true;
    if (!custom && !PREDEFINED_ROLES.includes(roleName)) {
      throw invalid(`role_name ${roleName} is not a predefined role; set is_custom=true for a custom ClusterRole.`);
    }
    let resourceId: string;
    let resourceType: GrantState['resourceType'];
    switch (item.role_type) {
      case 'all-clusters':
        if (roleName === 'admin-view') throw invalid('admin-view cannot be granted on all clusters.');
        resourceId = 'all-clusters';
        resourceType = 'console';
        break;
      case 'cluster':
        resourceId = requireCluster(world, item.cluster ?? '').id;
        resourceType = 'cluster';
        break;
      case 'namespace':
        requireCluster(world, item.cluster ?? '');
        if (!item.namespace) throw invalid('namespace is required when role_type is namespace.');
        if (['admin', 'admin-view', 'ops'].includes(roleName)) throw invalid(`${roleName} cannot be namespace-scoped.`);
        resourceId = `${item.cluster}/${item.namespace}`;
        resourceType = 'namespace';
        break;
      default:
        throw invalid('role_type must be cluster, namespace or all-clusters.');
    }
    if (seen.has(resourceId)) throw invalid(`More than one grant for ${resourceId}.`);
    seen.add(resourceId);
    return {
      resourceId,
      resourceType,
      roleType: custom ? 'custom' : roleName,
      roleName: custom ? roleName : '',
      isOwner: 0,
      isRamRole: isRamRole ? 1 : 0,
    };
  });
}
