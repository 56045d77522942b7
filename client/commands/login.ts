import { type CommandModule } from '../command';
import { ExitCode } from '../errors';
import { fields, formatTime } from '../output';
import { printable } from '../printable';
import { writeSession } from '../session';
import { signInWithDevice } from '../sign-in';

/**
 * `offboard login`: signs the person in at the identity provider that the API names (the device authorization
 * grant: a page and a code to confirm in any browser) and keeps the session for the other commands. The page and
 * the code go to stderr, so that `--json` keeps stdout to its one document.
 */
export const login: CommandModule<object> = {
  description:
    'Sign in: prints a page and a code; open the page in a browser (on any device), enter the code and sign in at ' +
    "your identity provider. The session is kept, readable by you only, in the CLI's config directory " +
    '(OFFBOARD_CONFIG_DIR, default ~/.config/acs-offboarding) and renewed while it lasts; offboard logout ends it.',
  options: [],
  async action(ctx) {
    const api = ctx.api();
    const session = await signInWithDevice(api, (lines) => ctx.io.stderr(printable(`${lines.join('\n')}\n`)));
    const path = writeSession(ctx.env, session);
    const roles = session.roles.length ? session.roles.join(', ') : 'none: you can sign in, but not act on runs';
    ctx.out.result(
      { subject: session.subject, name: session.name, roles: session.roles, apiUrl: api.url, session: path },
      [
        `Signed in as ${session.name} (${session.subject}).`,
        fields([
          ['Roles', roles],
          ['API', api.url],
          ['Session', `${path} (access renewed until the provider ends it; offboard logout ends it now)`],
          ['Token valid until', formatTime(session.expiresAt, ctx.io.now())],
          ['Note', ctx.env.OFFBOARD_TOKEN ? 'OFFBOARD_TOKEN is set and is used instead of this session' : undefined],
        ]),
      ].join('\n'),
    );
    return ExitCode.Ok;
  },
};
