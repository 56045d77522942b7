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
  /**
   * SYNTHETIC: the Clean* operations refuse without Force when the identity used the cluster in the last 7 days, or
   * when the cluster has no audit logs to check that (400).
   */
  recentClusterAccess: 'ErrorCleanPermissions.RecentAccess',
  /**
   * SYNTHETIC, a second form of the same refusal (403), with a generic code: the real code is undocumented, so a
   * client must recognise the refusal by its message (recent access, audit logs), not by this code.
   */
  cleanOperationDenied: 'OperationDenied',
  /** SYNTHETIC: cleaning the root account's permissions is not supported. */
  cleanRootNotSupported: 'ErrorCleanPermissions.RootAccount',
  /** SYNTHETIC: cleaning the calling identity's own permissions is not supported. */
  cleanSelfNotSupported: 'ErrorCleanPermissions.Self',
  /** SYNTHETIC: the uid names no RAM user or role of the account and has no kubeconfig record. */
  csUserNotFound: 'ErrorUserNotFound',
  taskNotFound: 'ErrorTaskNotFound',
  /** GrantPermissions/UpdateUserPermissions by a RAM identity that is not RBAC admin of the clusters concerned. */
  forbiddenGrantPermissions: 'ForbiddenGrantPermissions',
  /** SYNTHETIC: `error.code` of a DescribeTaskInfo result whose clean task ended `fail`, `timeout` or `canceled`. */
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
  roleAlreadyExists: 'EntityAlreadyExists.Role',
  rolePolicyAlreadyExists: 'EntityAlreadyExists.Role.Policy',
  policyAlreadyExists: 'EntityAlreadyExists.Policy',
  /** A policy or trust-policy document that is not a valid policy (400, CreatePolicy/CreateRole/UpdateRole). */
  malformedPolicyDocument: 'MalformedPolicyDocument',
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
  invalidPolicyName: 'InvalidParameter.PolicyName.InvalidChars',
  invalidPolicyNameLength: 'InvalidParameter.PolicyName.Length',
  invalidPolicyDocumentLength: 'InvalidParameter.PolicyDocument.Length',
  invalidRoleName: 'InvalidParameter.RoleName.InvalidChars',
  invalidRoleNameLength: 'InvalidParameter.RoleName.Length',
  limitExceededAccessKey: 'LimitExceeded.User.AccessKey',
  passwordTooWeak: 'InvalidParameter.Password.TooWeak',
  /** Follows RAM's `InvalidParameter.<Field>` pattern; the exact code for these three was not found. */
  invalidAccessKeyStatus: 'InvalidParameter.Status',
  invalidMaxItems: 'InvalidParameter.MaxItems',
  invalidMarker: 'InvalidParameter.Marker',
  /** RAM's refusal of a value that is not of its documented type (a boolean, an integer out of range) where no
   * field-specific code is known; the same text as CS's InvalidParameter. */
  ramInvalidParameter: 'InvalidParameter',
} as const;

export type AlibabaErrorCode = (typeof AlibabaErrorCodes)[keyof typeof AlibabaErrorCodes];
