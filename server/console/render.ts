import { join } from 'node:path';
import { Eta } from 'eta';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import type {} from '@fastify/csrf-protection';
import { type Person } from '../signer';
import { format } from './format';

/**
 * The console's pages are Eta templates (views/*.eta) rendered on the server. Eta escapes every `<%= %>` by default
 * (raw output needs the visible `<%~ %>`, used only to place one rendered template inside the layout), compiles each
 * template once, and is a small, maintained, typed library; nunjucks, the other escaping-by-default choice, has had
 * no release since 2023. Every page gets the signed-in person, the navigation, the form token and the formatters.
 */

const eta = new Eta({ views: join(__dirname, 'views'), cache: true, autoEscape: true });

/** The console's sections, for the navigation bar. */
export const NAV = [
  { href: '/console/inbox', label: 'Inbox', role: 'admin' },
  { href: '/console/start', label: 'Start an offboarding', role: 'hr' },
  { href: '/console/stuck', label: 'Stuck runs', role: 'oncall' },
  { href: '/console/leak', label: 'Leak response', role: 'security' },
  { href: '/console/sweep', label: 'Sweep', role: '' },
  { href: '/console/runs', label: 'All runs', role: '' },
] as const;

export interface PageFrame {
  title: string;
  /** The nav link of this page, marked aria-current. */
  current?: string;
}

/** Renders `template` inside the layout and sends it with `status`. */
export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  frame: PageFrame,
  data: Record<string, unknown> = {},
  status = 200,
): FastifyReply {
  const person: Person | undefined = request.person;
  const csrf = person ? reply.generateCsrf({ userInfo: person.subject }) : '';
  const it = { ...data, person, csrf, f: format, nav: NAV, frame, path: request.url.split('?')[0] };
  const body = eta.render(template, it);
  const html = eta.render('layout', { ...it, body });
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}
