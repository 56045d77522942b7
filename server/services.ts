import { type ServerConfig } from '../config/server';
import { type Issuer } from './auth/issuer';
import { type TokenSigner } from './signer';
import { type TemporalGateway } from './temporal/connection';

/** What the routes work with: the configuration, Temporal, the signer and the identity provider. */
export interface Services {
  config: ServerConfig;
  temporal: TemporalGateway;
  signer: TokenSigner;
  issuer: Issuer;
}
