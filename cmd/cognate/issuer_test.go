package main

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/cognate/cognate/internal/userpool"
)

func TestResolveIssuerBase(t *testing.T) {
	const (
		given   = "https://auth.example.com"
		other   = "https://other.example.com"
		derived = "http://localhost:9229"
		moved   = "http://localhost:9300"
	)
	tests := []struct {
		name             string
		explicit, listen string
		stored           storedIssuer
		change           bool
		want             issuerDecision
		wantErr          []string // substrings of the refusal
	}{
		{name: "given, nothing stored: store it", explicit: given, listen: derived,
			want: issuerDecision{Base: given, Write: writeIfAbsent}},
		{name: "given, equal to the stored one", explicit: given, listen: derived, stored: storedIssuer{Base: given},
			want: issuerDecision{Base: given}},
		{name: "given, equal to a stored derived one", explicit: derived, listen: derived, stored: storedIssuer{Base: derived, Derived: true},
			want: issuerDecision{Base: derived}},
		{name: "given, different: refuse", explicit: other, listen: derived, stored: storedIssuer{Base: given},
			wantErr: []string{`issuer base URL "https://other.example.com" differs from "https://auth.example.com"`,
				"start with --issuer-base-url https://auth.example.com (COGNATE_ISSUER_BASE_URL)", "--change-issuer-base-url"}},
		{name: "given, different, with the escape: replace", explicit: other, listen: derived, stored: storedIssuer{Base: given}, change: true,
			want: issuerDecision{Base: other, Write: writeReplace}},
		{name: "not given, stored one was given: use it", listen: derived, stored: storedIssuer{Base: given},
			want: issuerDecision{Base: given}},
		{name: "not given, stored derived one is this listener", listen: derived, stored: storedIssuer{Base: derived, Derived: true},
			want: issuerDecision{Base: derived, Derived: true}},
		{name: "not given, stored derived one is another listener: refuse", listen: moved, stored: storedIssuer{Base: derived, Derived: true},
			wantErr: []string{`"http://localhost:9300" (derived from --addr`, `differs from "http://localhost:9229"`,
				"--issuer-base-url http://localhost:9229", "--change-issuer-base-url"}},
		{name: "not given, another listener, with the escape: replace, derived", listen: moved, stored: storedIssuer{Base: derived, Derived: true}, change: true,
			want: issuerDecision{Base: moved, Derived: true, Write: writeReplace}},
		{name: "not given, stored one was given, with the escape: the listener's", listen: moved, stored: storedIssuer{Base: given}, change: true,
			want: issuerDecision{Base: moved, Derived: true, Write: writeReplace}},
		{name: "not given, nothing stored: derive and store", listen: derived,
			want: issuerDecision{Base: derived, Derived: true, Write: writeIfAbsent}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveIssuerBase(tc.explicit, tc.listen, tc.stored, tc.change)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("started with %+v, want a refusal", got)
				}
				for _, sub := range tc.wantErr {
					if !strings.Contains(err.Error(), sub) {
						t.Errorf("refusal %q lacks %q", err, sub)
					}
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestListenAddr(t *testing.T) {
	derived := storedIssuer{Base: "http://127.0.0.1:41234", Derived: true}
	tests := []struct {
		name, addr, explicit string
		stored               storedIssuer
		change               bool
		want                 string
	}{
		{"kernel-chosen port takes the stored one", "127.0.0.1:0", "", derived, false, "127.0.0.1:41234"},
		{"wildcard host, stored as localhost", "0.0.0.0:0", "", storedIssuer{Base: "http://localhost:41234", Derived: true}, false, "0.0.0.0:41234"},
		{"IPv6 wildcard", "[::]:0", "", storedIssuer{Base: "http://localhost:41234", Derived: true}, false, "[::]:41234"},
		{"IPv6 loopback", "[::1]:0", "", storedIssuer{Base: "http://[::1]:41234", Derived: true}, false, "[::1]:41234"},
		{"fixed port stays", "127.0.0.1:9229", "", derived, false, "127.0.0.1:9229"},
		{"another host's base", "localhost:0", "", derived, false, "localhost:0"},
		{"a given base: any port", "127.0.0.1:0", "https://auth.example.com", derived, false, "127.0.0.1:0"},
		{"a stored given base: any port", "127.0.0.1:0", "", storedIssuer{Base: "http://127.0.0.1:41234"}, false, "127.0.0.1:0"},
		{"moving: any port", "127.0.0.1:0", "", derived, true, "127.0.0.1:0"},
		{"nothing stored", "127.0.0.1:0", "", storedIssuer{}, false, "127.0.0.1:0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := listenAddr(tc.addr, tc.explicit, tc.stored, tc.change)
			if err != nil || got != tc.want {
				t.Fatalf("listenAddr(%q) = %q, %v; want %q", tc.addr, got, err, tc.want)
			}
		})
	}
}

func TestDeriveIssuerBase(t *testing.T) {
	for host, want := range map[string]string{
		"": "http://localhost:9229", "0.0.0.0": "http://localhost:9229", "::": "http://localhost:9229",
		"127.0.0.1": "http://127.0.0.1:9229", "::1": "http://[::1]:9229", "localhost": "http://localhost:9229",
		"cognate.internal": "http://cognate.internal:9229", "10.1.2.3": "http://10.1.2.3:9229", "fd00::5": "http://[fd00::5]:9229",
	} {
		if got := deriveIssuerBase(host, "9229"); got != want {
			t.Errorf("deriveIssuerBase(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestNormalizeIssuerBase(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"https://auth.example.com": "https://auth.example.com", "https://auth.example.com/": "https://auth.example.com",
		"http://127.0.0.1:9229//": "http://127.0.0.1:9229", "https://cognito-idp.us-east-1.amazonaws.com": "https://cognito-idp.us-east-1.amazonaws.com",
		"https://example.com/auth/": "https://example.com/auth",
	} {
		if got, err := normalizeIssuerBase(in); err != nil || got != want {
			t.Errorf("normalizeIssuerBase(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"auth.example.com", "/relative", "ftp://example.com", "https://", "https://example.com?x=1",
		"https://example.com/#frag", "https://example.com?", "https://user:pw@example.com", "http:opaque"} {
		if got, err := normalizeIssuerBase(bad); err == nil {
			t.Errorf("normalizeIssuerBase(%q) accepted as %q", bad, got)
		}
	}
}

// memMeta is a MetaStore in memory.
type memMeta struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memMeta) GetMeta(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return "", userpool.ErrNotFound
	}
	return v, nil
}

func (s *memMeta) PutMetaIfAbsent(_ context.Context, key, value string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[key]; ok {
		return v, nil
	}
	s.m[key] = value
	return value, nil
}

func (s *memMeta) ReplaceMeta(_ context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

// The decisions are written back so that the next start sees them: a
// derived base is remembered as derived, a given one as given, a move
// replaces the stored one.
func TestSettleIssuerBaseRemembers(t *testing.T) {
	ctx := context.Background()
	meta := &memMeta{m: map[string]string{}}
	start := func(explicit, listen string, change bool) (string, error) {
		stored, err := loadStoredIssuer(ctx, meta)
		if err != nil {
			t.Fatal(err)
		}
		return settleIssuerBase(ctx, meta, explicit, listen, stored, change)
	}
	if got, err := start("", "http://localhost:9229", false); err != nil || got != "http://localhost:9229" {
		t.Fatalf("first start: %q, %v", got, err)
	}
	if _, err := start("", "http://localhost:9300", false); err == nil {
		t.Fatal("a derived base moved to another port without --change-issuer-base-url")
	}
	if got, err := start("https://auth.example.com", "http://localhost:9300", true); err != nil || got != "https://auth.example.com" {
		t.Fatalf("moving: %q, %v", got, err)
	}
	// Given once, remembered: a start without the flag keeps it.
	if got, err := start("", "http://localhost:9300", false); err != nil || got != "https://auth.example.com" {
		t.Fatalf("after the move, without the flag: %q, %v", got, err)
	}
	if _, err := start("https://other.example.com", "http://localhost:9300", false); err == nil {
		t.Fatal("another given base was accepted")
	}
}

// Replicas that race to store the first base agree on the winner; a loser
// with another given base refuses.
func TestSettleIssuerBaseRace(t *testing.T) {
	ctx := context.Background()
	meta := &memMeta{m: map[string]string{metaIssuerBase: "https://first.example.com"}}
	// This replica read "nothing stored" before the other one wrote.
	_, err := settleIssuerBase(ctx, meta, "https://second.example.com", "http://localhost:9229", storedIssuer{}, false)
	if err == nil || !strings.Contains(err.Error(), `differs from "https://first.example.com"`) {
		t.Fatalf("losing replica: %v", err)
	}
	got, err := settleIssuerBase(ctx, meta, "https://first.example.com", "http://localhost:9229", storedIssuer{}, false)
	if err != nil || got != "https://first.example.com" {
		t.Fatalf("agreeing replica: %q, %v", got, err)
	}
}

func TestInside(t *testing.T) {
	for _, c := range []struct {
		dir, path string
		want      bool
	}{
		{"/data", "/data/master.key", true},
		{"/data/", "/data/sub/master.key", true},
		{"./cognate-data", "cognate-data/master.key", true},
		{"/data", "/secrets/master.key", false},
		{"/data", "/data-other/master.key", false},
		{"/data", "/data/../secrets/master.key", false},
	} {
		if got := inside(c.dir, c.path); got != c.want {
			t.Errorf("inside(%q, %q) = %v, want %v", c.dir, c.path, got, c.want)
		}
	}
}
