import { BoolKey, ListKey, StringKey } from '../config-key.decorators';
import { hostPort } from '../formats';

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
}
