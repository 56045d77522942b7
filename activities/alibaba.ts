import Credential from '@alicloud/credentials';
import CsClient from '@alicloud/cs20151215';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import ImsClient from '@alicloud/ims20190815';
import RamClient from '@alicloud/ram20150501';
import StsClient from '@alicloud/sts20150401';

/**
 * The one factory of Alibaba Cloud SDK clients (CS, RAM, IMS for RAM's recycle bin, and STS for the worker's own identity). Endpoints,
 * protocol, region and credentials come from configuration only: in emulator mode they point at the local emulator, in live mode at Alibaba Cloud; the activities cannot tell.
 */
interface AlibabaClientConfig {
  csEndpoint?: string;
  ramEndpoint?: string;
  /** STS, for the worker's own principal id (GetCallerIdentity); the SDK's regional endpoint when absent. */
  stsEndpoint?: string;
  /** IMS, for RAM's recycle bin (the sweep, undo and purge). */
  imsEndpoint?: string;
  protocol: 'http' | 'https';
  region: string;
  /** A credential of `@alicloud/credentials` (the default chain, or a static key built from configuration). */
  credential: Credential;
  /** Per-request timeouts; the SDK's default is 3 s for both. */
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
}

export interface AlibabaClients {
  cs: CsClient;
  ram: RamClient;
  /** Only for GetCallerIdentity: who the worker's credentials are. */
  sts: StsClient;
  /** RAM's recycle bin (IMS 2019-08-15). */
  ims: ImsClient;
}

function sdkConfig(config: AlibabaClientConfig, endpoint: string | undefined): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    credential: config.credential,
    endpoint,
    protocol: config.protocol,
    regionId: config.region,
    connectTimeout: config.connectTimeoutMs ?? 5_000,
    readTimeout: config.readTimeoutMs ?? 10_000,
  });
}

export function createAlibabaClients(config: AlibabaClientConfig): AlibabaClients {
  return {
    cs: new CsClient(sdkConfig(config, config.csEndpoint)),
    ram: new RamClient(sdkConfig(config, config.ramEndpoint)),
    sts: new StsClient(sdkConfig(config, config.stsEndpoint)),
    ims: new ImsClient(sdkConfig(config, config.imsEndpoint)),
  };
}
