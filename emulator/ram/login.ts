import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef } from '../action';
import { ApiError } from '../api-error';
import type { UserState } from '../state/world';
import { boolParam, required, requireUser } from './params';
import { loginProfileBody } from './render';

/** Console sign-in: a user's login profile (password never stored) and MFA device. */

export const loginActions: ActionDef[] = [
  {
    product: 'ram',
    name: 'GetLoginProfile',
    need: 'ram-read',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      if (!user.loginProfile) throw loginProfileNotFound(user);
      return { LoginProfile: loginProfileBody(user.name, user.loginProfile) };
    },
  },
  {
    product: 'ram',
    name: 'CreateLoginProfile',
    need: 'ram-write',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      const password = required(query, 'Password');
      const passwordResetRequired = boolParam(query, 'PasswordResetRequired', false);
      const mfaBindRequired = boolParam(query, 'MFABindRequired', false);
      // The default RAM password policy: at least 8 characters, with letters and digits. Never stored.
      if (password.length < 8 || !/[A-Za-z]/.test(password) || !/\d/.test(password)) {
        throw new ApiError(E.passwordTooWeak, 400, 'The password does not meet the password policy.');
      }
      if (user.loginProfile) {
        throw new ApiError(E.loginProfileAlreadyExists, 409, `The login profile of ${user.name} already exists.`);
      }
      const profile = { created: ctx.now, passwordResetRequired, mfaBindRequired };
      user.loginProfile = profile;
      return { LoginProfile: loginProfileBody(user.name, profile) };
    },
  },
  {
    product: 'ram',
    name: 'DeleteLoginProfile',
    need: 'ram-write',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      if (!user.loginProfile) throw loginProfileNotFound(user);
      delete user.loginProfile;
      return {};
    },
  },
  {
    product: 'ram',
    name: 'GetUserMFAInfo',
    need: 'ram-read',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      if (!user.mfa) throw mfaNotFound(user);
      return { MFADevice: { SerialNumber: user.mfa.serialNumber, Type: user.mfa.type } };
    },
  },
  {
    product: 'ram',
    name: 'UnbindMFADevice',
    need: 'ram-write',
    run(ctx, { query }) {
      const user = requireUser(ctx.world, query);
      if (!user.mfa) throw mfaNotFound(user);
      const serial = user.mfa.serialNumber;
      delete user.mfa;
      return { MFADevice: { SerialNumber: serial } };
    },
  },
];

function loginProfileNotFound(user: UserState): ApiError {
  return new ApiError(E.loginProfileNotFound, 404, `The login profile of ${user.name} does not exist.`);
}

function mfaNotFound(user: UserState): ApiError {
  return new ApiError(E.mfaDeviceNotFound, 404, `${user.name} has no MFA device bound.`);
}
