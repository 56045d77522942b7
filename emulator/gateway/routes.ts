import Router from 'find-my-way';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { ActionDef, Product, RoutedActionDef } from '../action';
import { ApiError } from '../api-error';
import { header, type ReceivedRequest } from './http';

/**
 * Which operation a request names. RAM, STS and IMS (RPC): `POST /` with x-acs-action, the product told apart by
 * x-acs-version; CS (ROA): method + path. Either way the x-acs-version must be the product's API version.
 */

const CS_VERSION = '2015-12-15';
const RPC_PRODUCTS = new Map<string, Exclude<Product, 'cs'>>([
  ['2015-05-01', 'ram'],
  ['2015-04-01', 'sts'],
  ['2019-08-15', 'ims'],
]);

export interface Route {
  product: Product;
  /** The operation, when the request names one this emulator serves. */
  def: ActionDef | undefined;
  /** CS path parameters. */
  pathParams: Record<string, string>;
  /** The operation's name, else what the request asked for: for the journal and the not-found error. */
  action: string;
  version: string | undefined;
}

export class ActionTable {
  private readonly cs = Router();
  /** RPC operations by product and name. */
  private readonly rpc = new Map<string, ActionDef>();
  /** Every action name, for checking fault rules and quotas. */
  readonly names: ReadonlySet<string>;

  constructor(cs: readonly RoutedActionDef[], rpc: readonly ActionDef[]) {
    for (const def of cs) this.cs.on(def.method, def.path, () => undefined, def);
    for (const def of rpc) this.rpc.set(`${def.product}:${def.name}`, def);
    this.names = new Set([...cs, ...rpc].map((d) => d.name));
  }

  route({ req, method, rawPath }: ReceivedRequest): Route {
    const asked = header(req, 'x-acs-action');
    const version = header(req, 'x-acs-version');
    const named = (product: Product, def: ActionDef | undefined, pathParams: Record<string, string> = {}): Route => ({
      product,
      def,
      pathParams,
      action: def?.name ?? asked ?? `${method} ${rawPath}`,
      version,
    });
    const rpc = method === 'POST' && rawPath === '/';
    const rpcProduct = RPC_PRODUCTS.get(version ?? '');
    if (rpcProduct || rpc) {
      const product = rpcProduct ?? 'ram';
      return named(product, rpc && rpcProduct ? this.rpc.get(`${product}:${asked ?? ''}`) : undefined);
    }
    const found = this.cs.find(method as Router.HTTPMethod, rawPath);
    if (!found || version !== CS_VERSION) return named('cs', undefined);
    return named('cs', found.store as ActionDef, found.params as Record<string, string>);
  }
}

/** The refusal for a request that names no operation. */
export function notFoundAction(route: Route): ApiError {
  const what = `${route.product} ${route.action} ${route.version ?? '(no x-acs-version)'}`;
  return new ApiError(E.actionNotFound, 404, `Specified api is not found, please check your url and method. (${what})`);
}
