import { type CommandModule } from '../command';
import { ExitCode } from '../errors';
import { fields, formatTime } from '../output';
import { sessionPath } from '../session';

interface Me {
  subject: string;
  name: string;
  roles: string[];
  ramUser?: string;
}

/** `offboard whoami`: who the API takes you for (`GET /v1/me`): subject, name, roles, RAM user; and which token. */
export const whoami: CommandModule<object> = {
  description:
    'Who you are to the API: your subject at the identity provider, your name, your roles (from your groups) and ' +
    'your RAM user name; and where the CLI took the token from.',
  options: [],
  async action(ctx) {
    const api = ctx.api();
    const me = await api.get<Me>('/v1/me');
    const bearer = await api.signedIn();
    const from = bearer.source === 'OFFBOARD_TOKEN' ? 'OFFBOARD_TOKEN' : sessionPath(ctx.env);
    ctx.out.result(
      { ...me, apiUrl: api.url, tokenFrom: from, sessionExpiresAt: bearer.session?.expiresAt },
      fields([
        ['Signed in as', `${me.name} (${me.subject})`],
        ['Roles', me.roles.length ? me.roles.join(', ') : 'none (ask for a role at your identity provider)'],
        ['RAM user', me.ramUser],
        ['API', api.url],
        ['Token from', from],
        ['Token valid until', bearer.session ? formatTime(bearer.session.expiresAt, ctx.io.now()) : undefined],
      ]),
    );
    return ExitCode.Ok;
  },
};
