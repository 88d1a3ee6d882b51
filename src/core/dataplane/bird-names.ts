// Calico's BIRD protocol names: the peer address with dots turned into underscores
// (confd bird.cfg.template: `{{$nums := split $onode_ip "."}}{{$id := join $nums "_"}}`).
export function birdId(ip: string): string {
  return ip.split('.').join('_');
}
