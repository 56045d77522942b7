import type { ClusterState } from '../state/world';
import { iso } from '../time';

/**
 * The kubeconfig DescribeClusterUserKubeconfig returns. Not a usable credential: a recognisable placeholder whose
 * certificate names the cluster, the uid, the expiry and a serial that changes on every issuance.
 */
export function kubeconfigYaml(
  c: ClusterState,
  uid: string,
  serial: string,
  privateIp: boolean,
  expires: number,
): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const server = privateIp ? 'https://192.168.0.1:6443' : `https://${c.id}.emulator.invalid:6443`;
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(`EMULATOR CA ${c.id}`)}`,
    '  name: kubernetes',
    'contexts:',
    '- context:',
    '    cluster: kubernetes',
    `    user: "${uid}"`,
    `  name: ${uid}-${c.id}`,
    `current-context: ${uid}-${c.id}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: "${uid}"`,
    '  user:',
    `    client-certificate-data: ${b64(`EMULATOR CERT cluster=${c.id} uid=${uid} serial=${serial} notAfter=${iso(expires)}`)}`,
    `    client-key-data: ${b64(`EMULATOR KEY serial=${serial}`)}`,
    '',
  ].join('\n');
}
