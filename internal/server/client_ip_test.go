package server

import (
	"net/http"
	"testing"
)

func TestClientIP(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		proxies TrustedProxies
		remote  string
		xff     []string
		want    string
	}{
		{"no proxies: the header is ignored", nil, "203.0.113.5:1234", []string{"198.51.100.7"}, "203.0.113.5"},
		{"an untrusted peer's header is ignored", trusted, "203.0.113.5:1234", []string{"198.51.100.7"}, "203.0.113.5"},
		{"a trusted proxy's header names the client", trusted, "10.1.2.3:1234", []string{"198.51.100.7"}, "198.51.100.7"},
		{"a bare IP is trusted as /32", trusted, "192.168.1.1:80", []string{"198.51.100.7"}, "198.51.100.7"},
		{"the rightmost untrusted hop wins over a spoofed left", trusted, "10.1.2.3:1234", []string{"1.1.1.1, 198.51.100.7, 10.9.9.9"}, "198.51.100.7"},
		{"several headers are one list", trusted, "10.1.2.3:1234", []string{"1.1.1.1", "198.51.100.7"}, "198.51.100.7"},
		{"all hops trusted: the leftmost", trusted, "10.1.2.3:1234", []string{"10.5.5.5, 10.6.6.6"}, "10.5.5.5"},
		{"a garbled hop stops the walk", trusted, "10.1.2.3:1234", []string{"198.51.100.7, garbage"}, "10.1.2.3"},
		{"no header from a trusted proxy: the proxy", trusted, "10.1.2.3:1234", nil, "10.1.2.3"},
		{"IPv6 peer", trusted, "[2001:db8::1]:443", []string{"198.51.100.7"}, "2001:db8::1"},
	}
	for _, tc := range tests {
		r := &http.Request{RemoteAddr: tc.remote, Header: http.Header{}}
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := tc.proxies.ClientIP(r); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,nonsense"); err == nil {
		t.Error("a bad entry was accepted")
	}
}
