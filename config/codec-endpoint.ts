import { z } from 'zod';
import { type Env, read } from './env';

/**
 * The API server's codec endpoint (server/codec-routes.ts) answers browsers of one origin only: the Temporal UI's,
 * as people's browsers reach it (OFFBOARD_TEMPORAL_UI_URL, e.g. https://temporal.example.com). Unset, no browser
 * page may call it (the Temporal CLI's `--codec-endpoint` and scripts, which send no Origin, still can).
 */
export interface CodecEndpointSettings {
  /** `scheme://host[:port]` of the Temporal UI. */
  uiOrigin?: string;
}

export function readCodecEndpointSettings(env: Env, problems: string[]): CodecEndpointSettings {
  const url = read(
    env,
    'OFFBOARD_TEMPORAL_UI_URL',
    z
      .url({
        protocol: /^https?$/,
        error: 'must be the http(s) URL of the Temporal UI, e.g. https://temporal.example.com',
      })
      .optional(),
    problems,
  );
  return { uiOrigin: url === undefined ? undefined : new URL(url).origin };
}
