import type { ActionDef } from '../action';
import { accessKeyActions } from './access-keys';
import { attachmentActions } from './attachments';
import { groupActions } from './groups';
import { loginActions } from './login';
import { policyActions } from './policies';
import { roleActions } from './roles';
import { userActions } from './users';

/**
 * RAM 2015-05-01, RPC style: `POST /` routed by x-acs-action, every parameter in the query, PascalCase bodies with
 * lists wrapped as `{ Plural: { Singular: [...] } }`. Status codes and codes per reference §2.4.
 */
export const ramActions: readonly ActionDef[] = [
  ...userActions,
  ...roleActions,
  ...accessKeyActions,
  ...loginActions,
  ...groupActions,
  ...policyActions,
  ...attachmentActions,
];
