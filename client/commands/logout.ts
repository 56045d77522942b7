import { type CommandModule } from '../command';
import { ExitCode } from '../errors';
import { readSession, removeSession, sessionPath } from '../session';

/**
 * `offboard logout`: ends the session at the identity provider (its refresh token is revoked, when the provider
 * offers revocation) and removes it from this machine. The file goes even when the provider cannot be reached: the
 * person asked to be signed out here.
 */
export const logout: CommandModule<object> = {
  description:
    'Sign out: revoke the session at the identity provider (when it supports revocation) and remove it from this ' +
    'machine.',
  options: [],
  async action(ctx) {
    const path = sessionPath(ctx.env);
    const session = readSession(ctx.env, { evenIfExposed: true });
    const note = ctx.env.OFFBOARD_TOKEN ? ' OFFBOARD_TOKEN is still set, and still used.' : '';
    if (!session) {
      ctx.out.result({ signedOut: false, session: path }, `Not signed in (no session in ${path}).${note}`);
      return ExitCode.Ok;
    }
    let revoked: boolean | string;
    try {
      // Loaded only here: signing out is the one command that talks to the provider besides login.
      const { revokeSession } = await import('../sign-in');
      revoked = await revokeSession(session);
    } catch (err) {
      revoked = err instanceof Error ? err.message : String(err);
    } finally {
      removeSession(ctx.env);
    }
    const atProvider =
      revoked === true
        ? `its refresh token is revoked at ${session.issuer}`
        : revoked === false
          ? `${session.issuer} offers no revocation: the tokens lapse when they expire`
          : `it could not be revoked at the provider (${revoked}); the tokens lapse when they expire`;
    ctx.out.result(
      { signedOut: true, subject: session.subject, apiUrl: session.apiUrl, revoked: revoked === true, session: path },
      `Signed out ${session.name} (${session.subject}) of ${session.apiUrl}: the session is removed from ${path}, and ${atProvider}.${note}`,
    );
    return ExitCode.Ok;
  },
};
