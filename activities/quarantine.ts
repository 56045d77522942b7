import { randomBytes } from 'node:crypto';
import * as $ram from '@alicloud/ram20150501';
import { type ActivityContext } from './deps';
import { requestIdOf, stepResult } from './sdk-call';
import { type OffboardActivities } from './types';

type QuarantineActivities = Pick<
  OffboardActivities,
  'deactivateAccessKey' | 'activateAccessKey' | 'blockConsoleLogin' | 'restoreConsoleLogin'
>;

/** Quarantine: the identity's access keys and console login stop working, in ways its undo can reverse. */
export function quarantineActivities({ deps, sdk }: ActivityContext): QuarantineActivities {
  const { ram } = deps.clients;

  const setAccessKeyStatus = async (userName: string, accessKeyId: string, status: 'Active' | 'Inactive') =>
    stepResult(
      await sdk.callOptional('UpdateAccessKey', () =>
        ram.updateAccessKey(new $ram.UpdateAccessKeyRequest({ userName, userAccessKeyId: accessKeyId, status })),
      ),
    );

  return {
    async deactivateAccessKey({ userName, accessKeyId }) {
      return setAccessKeyStatus(userName, accessKeyId, 'Inactive');
    },

    async activateAccessKey({ userName, accessKeyId }) {
      return setAccessKeyStatus(userName, accessKeyId, 'Active');
    },

    async blockConsoleLogin({ userName }) {
      return stepResult(
        await sdk.callOptional('DeleteLoginProfile', () =>
          ram.deleteLoginProfile(new $ram.DeleteLoginProfileRequest({ userName })),
        ),
      );
    },

    /**
     * The old password cannot be restored: a random one is set and never kept (not returned, not logged, redacted
     * from any error of the call), with PasswordResetRequired, so an admin must hand out a new one.
     */
    async restoreConsoleLogin({ userName, profile }) {
      const existing = await sdk.callOptional('GetLoginProfile', () =>
        ram.getLoginProfile(new $ram.GetLoginProfileRequest({ userName })),
      );
      if (existing?.body?.loginProfile) return { changed: false, requestIds: requestIdOf(existing) };
      const password = `${randomBytes(18).toString('base64url')}Aa1!`;
      const created = await sdk.withSecrets([password]).call('CreateLoginProfile', () =>
        ram.createLoginProfile(
          new $ram.CreateLoginProfileRequest({
            userName,
            password,
            passwordResetRequired: true,
            MFABindRequired: profile.mfaBindRequired,
          }),
        ),
      );
      return stepResult(created);
    },
  };
}
