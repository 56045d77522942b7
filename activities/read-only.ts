import { type AlibabaClients } from './alibaba';

// SDK methods that only read: RAM/IMS Get…/List…, CS Describe…/List…. Everything else changes the cloud.
const READ_ONLY = /^(get|list|describe)[A-Z]/;

/**
 * Wraps the SDK clients so that only reading methods can be called: a dry run that reaches a write by mistake (a
 * future change of the inventory activity, say) fails loudly instead of changing the cloud.
 */
export function readOnlyClients(clients: AlibabaClients): AlibabaClients {
  const guard = <T extends object>(client: T, product: string): T =>
    new Proxy(client, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        if (!READ_ONLY.test(prop)) {
          return () => {
            throw new Error(`dry run: refusing to call ${product}.${prop}, which is not a read-only operation`);
          };
        }
        return (value as (...args: unknown[]) => unknown).bind(target);
      },
    });
  return {
    cs: guard(clients.cs, 'cs'),
    ram: guard(clients.ram, 'ram'),
    sts: guard(clients.sts, 'sts'),
    ims: guard(clients.ims, 'ims'),
  };
}
