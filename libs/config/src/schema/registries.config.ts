import { BoolKey, ListKey, StringKey } from '../config-key.decorators';
import { hostPort, platform } from '../formats';

export class RegistriesSchema {
  @StringKey('Registry credentials in .dockerconfigjson format (a mounted imagePullSecret).', {
    optional: true,
    file: {},
  })
  dockerConfigFile?: string;

  @ListKey('Registry hosts reached over plain HTTP.', { format: hostPort })
  insecure: string[] = [];

  @BoolKey('Allow registry calls to any private, loopback or link-local address (lab use only).')
  allowPrivateNetworks = false;

  @ListKey('Registry hosts allowed although they resolve to private or loopback addresses.', {
    format: hostPort,
  })
  privateHosts: string[] = [];

  @ListKey('Platforms analysed when a tag names a multi-arch index, in order of preference.', { format: platform })
  platforms: string[] = ['linux/amd64'];
}
