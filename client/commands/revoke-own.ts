import Credential from '@alicloud/credentials';
import { ApplicationFailure } from '@temporalio/common';
import { Option } from 'commander';
import { createAlibabaClients } from '../../activities/alibaba';
import { makeRedactor, toFailure } from '../../activities/classify';
import { FailureType } from '../../common/errors';
import { isValidClusterId, Rules } from '../../common/validation';
import { type CommandModule } from '../command';
import { alibabaEndpoints } from '../config';
import { type Ctx } from '../context';
import { badInput, CliError, cloudCallError, ExitCode } from '../errors';
import { fields } from '../output';

const credentialsHint =
  'revoke-own signs with YOUR credentials from the default chain of @alicloud/credentials: set ' +
  "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (your RAM user's key), or configure a profile " +
  '(~/.alibabacloud/credentials, ALIBABA_CLOUD_PROFILE).';

/**
 * A RAM user revokes their own kubeconfig on one cluster: RevokeK8sClusterKubeConfig takes no user, it acts on the
 * caller. So the call is signed with the caller's own credentials (default chain), never the worker's; endpoints,
 * protocol and region come from the shared configuration, and the SDK clients from the activities' one factory.
 */
export const revokeOwn: CommandModule<{ cluster: string }> = {
  description:
    'Revoke your own kubeconfig on one cluster (RevokeK8sClusterKubeConfig), signed with your own credentials ' +
    'from the default credential chain (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, a profile, an instance role). ' +
    'The cluster then issues you a new kubeconfig. Needs no Temporal.',
  options: [new Option('--cluster <id>', 'the cluster').makeOptionMandatory()],
  action: revokeOwnKubeconfig,
};

async function revokeOwnKubeconfig(ctx: Ctx, flags: { cluster: string }): Promise<ExitCode> {
  if (!isValidClusterId(flags.cluster))
    throw badInput(`--cluster ${JSON.stringify(flags.cluster)}: ${Rules.clusterId}`);
  const alibaba = alibabaEndpoints(ctx.env);
  const credential = new Credential(); // no config: the default credential chain
  let secrets: string[];
  let source: string;
  try {
    const c = await credential.getCredential();
    secrets = [c.accessKeySecret, c.securityToken].filter((s): s is string => typeof s === 'string');
    source = c.providerName ?? 'default chain';
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CliError(
      ExitCode.BadInput,
      `no credentials of yours were found: ${why}`,
      'NoCredentials',
      credentialsHint,
    );
  }
  const clients = createAlibabaClients({
    csEndpoint: alibaba.csEndpoint,
    ramEndpoint: alibaba.ramEndpoint,
    protocol: alibaba.protocol,
    region: alibaba.region,
    credential,
  });
  let requestId: string | undefined;
  try {
    const res = await clients.cs.revokeK8sClusterKubeConfig(flags.cluster);
    requestId = res.headers?.['x-acs-request-id'];
  } catch (err) {
    const failure: ApplicationFailure = toFailure('RevokeK8sClusterKubeConfig', err, makeRedactor(secrets));
    throw cloudCallError(failure, { [FailureType.AccessDenied]: credentialsHint });
  }
  ctx.out.result(
    { cluster: flags.cluster, revoked: true, requestId, credentials: source, mode: alibaba.mode },
    [
      `Revoked your kubeconfig on ${flags.cluster}. The old kubeconfig no longer works; get a new one from the ` +
        'console (or DescribeClusterUserKubeconfig) when you need access again.',
      fields([
        ['Credentials', source],
        ['Request id', requestId],
        ['Target', alibaba.mode === 'emulator' ? `emulator at ${alibaba.csEndpoint}` : 'Alibaba Cloud'],
      ]),
    ].join('\n'),
  );
  return ExitCode.Ok;
}
