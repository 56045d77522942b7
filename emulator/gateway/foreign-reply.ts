import { STATUS_CODES } from 'node:http';
import type { FaultRule } from './faults';
import type { Reply } from './render';

/**
 * What answers when the endpoint is not Alibaba's gateway at all — a mis-pointed endpoint, a proxy, a load balancer:
 * a bare status with its own body, no Alibaba code, no request id.
 */
export function foreignReply(fault: FaultRule): Reply {
  const status = fault.statusCode ?? 404;
  const reason = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  switch (fault.body ?? 'html') {
    case 'html':
      return {
        status,
        raw: `<html>\r\n<head><title>${reason}</title></head>\r\n<body>\r\n<center><h1>${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
        headers: { 'content-type': 'text/html' },
      };
    case 'text':
      return { status, raw: `${reason.toLowerCase()}\n`, headers: { 'content-type': 'text/plain; charset=utf-8' } };
    case 'json':
      return {
        status,
        raw: JSON.stringify({ message: 'no Route matched with those values' }),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      };
  }
}
