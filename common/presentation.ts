import { SearchAttributes } from './search-attributes';
import { type OffboardingStage } from './stages';
import { type OffboardIdentityInput, type RevokeKubeconfigInput } from './types';
import { identityRef } from './validation';

/** Texts and search attributes shown in the Temporal UI, shared by the start helpers and the workflows. */

/**
 * The Temporal UI renders details as Markdown: free text (a comment, a subject) is shown as typed, never as a link,
 * an image or formatting. Control characters are refused at input (common/validation.ts); this escapes the rest.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`);
}

export function offboardStaticSummary(input: OffboardIdentityInput): string {
  return `Offboard ${identityRef(input.target.type, input.target.name)} (${input.reason}) requested by ${input.requestedBy}`;
}

export function offboardStaticDetails(input: OffboardIdentityInput): string {
  return [
    `**Offboarding** of RAM ${input.target.type} \`${input.target.name}\` in account ${input.accountId}.`,
    `Requested by ${escapeMarkdown(input.requestedBy)}, reason: ${input.reason}${input.comment ? ` — ${escapeMarkdown(input.comment)}` : ''}.`,
    `Clusters: ${input.clusterIds?.join(', ') ?? 'all'}. Deletion not before: ${input.deleteNotBefore ?? 'approval'}.`,
    'Order: inventory → dependency check → quarantine → revoke kubeconfigs → verify → approval → delete.',
    'Messages: approveDeletion, rejectDeletion, resolveDependencies, rescind, retry, abort; query: status.',
  ].join('\n');
}

export function revokeStaticSummary(input: RevokeKubeconfigInput): string {
  return `Revoke kubeconfigs of ${identityRef(input.target.type, input.target.name)} (${input.reason}) requested by ${input.requestedBy}`;
}

export function revokeStaticDetails(input: RevokeKubeconfigInput): string {
  return [
    `**Kubeconfig revocation** for RAM ${input.target.type} \`${input.target.name}\` in account ${input.accountId}.`,
    `Requested by ${escapeMarkdown(input.requestedBy)}, reason: ${input.reason}${input.comment ? ` — ${escapeMarkdown(input.comment)}` : ''}.`,
    `Clusters: ${input.clusterIds?.join(', ') ?? 'all'}; Force: ${input.force ?? true}. No approval, no deletion.`,
  ].join('\n');
}

/** The typed search attributes a run carries from its start. */
export function initialSearchAttributes(
  input: { accountId: string; target: { type: 'user' | 'role'; name: string }; requestedBy: string; reason: string },
  stage: OffboardingStage,
) {
  return [
    { key: SearchAttributes.stage, value: stage },
    { key: SearchAttributes.target, value: identityRef(input.target.type, input.target.name) },
    { key: SearchAttributes.targetType, value: input.target.type },
    { key: SearchAttributes.account, value: input.accountId },
    { key: SearchAttributes.requestedBy, value: input.requestedBy },
    { key: SearchAttributes.reason, value: input.reason },
  ];
}
