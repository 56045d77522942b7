/**
 * What the CLI prints for people cannot carry a terminal control sequence that came from the server: a comment or a
 * name holding an escape (clear the screen, move the cursor, set the title), a carriage return that overwrites the
 * line, or a right-to-left override is shown as visible escapes instead.
 */
import { oneLine, printable } from '../../client/printable';
import { renderAuditTable } from '../../client/render';

const hostile = 'approved\u001b[2J\u001b[1;1Hall good\r\u009b31m\u202etxt.exe\u0007';

test('oneLine escapes every control and format character, newlines included', () => {
  expect(oneLine(hostile)).toBe('approved\\x1b[2J\\x1b[1;1Hall good\\x0d\\x9b31m\\u202etxt.exe\\x07');
  expect(oneLine('two\nlines')).toBe('two\\x0alines');
  expect(oneLine('Jane (HR) – ok')).toBe('Jane (HR) – ok');
});

test('printable keeps the lines of a block and escapes the rest', () => {
  expect(printable(`line 1\n${hostile}\n`)).toBe(
    'line 1\napproved\\x1b[2J\\x1b[1;1Hall good\\x0d\\x9b31m\\u202etxt.exe\\x07\n',
  );
});

test('a hostile audit entry renders without a single control character', () => {
  const table = renderAuditTable([
    {
      time: '2026-01-01T00:00:00.000Z',
      actor: 'mallory\u001b]0;pwned\u0007',
      action: 'approve',
      target: 'user/x',
      outcome: 'ok',
      detail: hostile,
    },
  ]);
  // eslint-disable-next-line no-control-regex
  expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  expect(table).toContain('\\x1b');
});
