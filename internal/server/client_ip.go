package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies are the addresses whose X-Forwarded-For is believed: the
// client IP of a request from one of them is the rightmost address of the
// header that is not itself a trusted proxy. Without trusted proxies the
// header is ignored and the client IP is the connection's address, since
// anyone can write the header.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies reads "CIDR,…" (a bare address is a /32 or /128).
func ParseTrustedProxies(spec string) (TrustedProxies, error) {
	var out TrustedProxies
	for _, part := range strings.Split(spec, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("%q is no CIDR or IP address", part)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is no CIDR or IP address", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (t TrustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address a request comes from, as far as it can be told.
func (t TrustedProxies) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if len(t) == 0 || err != nil || !t.trusts(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	ip := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: the last address known is as far as it goes
		}
		ip = a.Unmap()
		if !t.trusts(ip) {
			break
		}
	}
	return ip.String()
}
