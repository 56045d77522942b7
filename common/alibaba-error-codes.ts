/**
 * Alibaba Cloud error codes that both sides of the wire must agree on: the emulator answers with them, the
 * activities classify them. Codes marked SYNTHETIC are not documented by Alibaba Cloud (see
 * shared/reference/alibaba-cloud-apis.md §7, "Gaps"): we chose a descriptive code and keep it here, in one place,
 * so that replacing it with the real one once known is a one-line change.
 */
export const AlibabaErrorCodes = {
  // Gateway (both products), documented.
  throttling: 'Throttling.User',
  signatureDoesNotMatch: 'SignatureDoesNotMatch',
  signatureNonceUsed: 'SignatureNonceUsed',
  timestampExpired: 'InvalidTimeStamp.Expired',
  accessKeyNotFound: 'InvalidAccessKeyId.NotFound',
  accessKeyInactive: 'InvalidAccessKeyId.Inactive',
  internalError: 'InternalError',
  serviceUnavailable: 'ServiceUnavailable',
  /** Gateway: the Authorization header is missing, malformed or does not sign the required headers. */
  incompleteSignature: 'IncompleteSignature',
  /** Gateway: x-acs-date is not an ISO 8601 UTC timestamp. */
  timestampFormat: 'InvalidTimeStamp.Format',
  /** Gateway: no such action (unknown x-acs-action or ROA path) for this product version. */
  actionNotFound: 'InvalidAction.NotFound',
  /** Gateway: a required parameter is absent. */
  missingParameter: 'MissingParameter',

  // CS (ACK/ACS).
  csForbidden: 'StatusForbidden',
  clusterNotFound: 'ErrorClusterNotFound',
  csInvalidParameter: 'InvalidParameter',
  /** SYNTHETIC: the Clean* operations refuse without Force when the identity used the cluster in the last 7 days. */
  recentClusterAccess: 'ErrorCleanPermissions.RecentAccess',
  /** SYNTHETIC: cleaning the root account's permissions is not supported. */
  cleanRootNotSupported: 'ErrorCleanPermissions.RootAccount',
  /** SYNTHETIC: cleaning the calling identity's own permissions is not supported. */
  cleanSelfNotSupported: 'ErrorCleanPermissions.Self',
  /** SYNTHETIC: the uid names no RAM user or role of the account and has no kubeconfig record. */
  csUserNotFound: 'ErrorUserNotFound',
  taskNotFound: 'ErrorTaskNotFound',
  /** GrantPermissions/UpdateUserPermissions by a RAM identity that is not RBAC admin of the clusters concerned. */
  forbiddenGrantPermissions: 'ForbiddenGrantPermissions',
  /** SYNTHETIC: `error.code` of a DescribeTaskInfo result whose clean task ended `fail`. */
  cleanTaskFailed: 'ErrorCleanPermissions.TaskFailed',

  // RAM, documented.
  noPermission: 'NoPermission',
  userNotFound: 'EntityNotExist.User',
  roleNotFound: 'EntityNotExist.Role',
  accessKeyOfUserNotFound: 'EntityNotExist.User.AccessKey',
  loginProfileNotFound: 'EntityNotExist.User.LoginProfile',
  mfaDeviceNotFound: 'EntityNotExist.User.MFADevice',
  userPolicyNotFound: 'EntityNotExist.User.Policy',
  rolePolicyNotFound: 'EntityNotExist.Role.Policy',
  userGroupNotFound: 'EntityNotExist.User.Group',
  groupNotFound: 'EntityNotExist.Group',
  policyNotFound: 'EntityNotExist.Policy',
  userAlreadyExists: 'EntityAlreadyExists.User',
  userPolicyAlreadyExists: 'EntityAlreadyExists.User.Policy',
  userGroupAlreadyExists: 'EntityAlreadyExists.User.Group',
  loginProfileAlreadyExists: 'EntityAlreadyExists.User.LoginProfile',
  deleteConflictUserPolicy: 'DeleteConflict.User.Policy',
  deleteConflictUserGroup: 'DeleteConflict.User.Group',
  deleteConflictUserAccessKey: 'DeleteConflict.User.AccessKey',
  deleteConflictUserLoginProfile: 'DeleteConflict.User.LoginProfile',
  deleteConflictUserMfa: 'DeleteConflict.User.MFADevice',
  deleteConflictRolePolicy: 'DeleteConflict.Role.Policy',
  invalidUserName: 'InvalidParameter.UserName.InvalidChars',
  invalidUserNameLength: 'InvalidParameter.UserName.Length',
  invalidPolicyType: 'InvalidParameter.PolicyType',
  limitExceededAccessKey: 'LimitExceeded.User.AccessKey',
  passwordTooWeak: 'InvalidParameter.Password.TooWeak',
  /** Follows RAM's `InvalidParameter.<Field>` pattern; the exact code for these three was not found. */
  invalidAccessKeyStatus: 'InvalidParameter.Status',
  invalidMaxItems: 'InvalidParameter.MaxItems',
  invalidMarker: 'InvalidParameter.Marker',
} as const;

export type AlibabaErrorCode = (typeof AlibabaErrorCodes)[keyof typeof AlibabaErrorCodes];
