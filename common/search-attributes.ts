import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes of every offboarding run. The dev-server bootstrap registers exactly this list, the
 * workflows upsert them, and operators filter on them (`temporal workflow list --query "OffboardingStage='Blocked'"`).
 * Values are ids and names, never secrets.
 */
export const SearchAttributes = {
  /** The run's current stage (see OffboardingStage in common/). */
  stage: defineSearchAttributeKey('OffboardingStage', SearchAttributeType.KEYWORD),
  /** `user/<name>` or `role/<name>`. */
  target: defineSearchAttributeKey('OffboardingTarget', SearchAttributeType.KEYWORD),
  /** `user` or `role`. */
  targetType: defineSearchAttributeKey('OffboardingTargetType', SearchAttributeType.KEYWORD),
  /** The RAM user id or role id, once resolved by the inventory. */
  uid: defineSearchAttributeKey('OffboardingUid', SearchAttributeType.KEYWORD),
  /** The Alibaba Cloud account id the identity belongs to. */
  account: defineSearchAttributeKey('OffboardingAccount', SearchAttributeType.KEYWORD),
  /** Who asked for the offboarding (HR, an on-call engineer). */
  requestedBy: defineSearchAttributeKey('OffboardingRequestedBy', SearchAttributeType.KEYWORD),
  /** departure | compromise | other. */
  reason: defineSearchAttributeKey('OffboardingReason', SearchAttributeType.KEYWORD),
  /** The bulk intake that started the run (common/batch.ts): how `approve --batch` finds its runs again. */
  batch: defineSearchAttributeKey('OffboardingBatch', SearchAttributeType.KEYWORD),
} as const;

export const allSearchAttributeKeys = Object.values(SearchAttributes);
