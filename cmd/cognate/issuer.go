package main

// The issuer base URL: the one public URL a server (and every replica of it)
// names in its tokens' iss, in its discovery document and in every endpoint
// that document lists. It is remembered in the database on first start, so
// that a restart cannot silently change it (every live token names it).
//
// The rule, in resolveIssuerBase:
//   - --issuer-base-url given, nothing stored: store it and use it.
//   - given and equal to the stored one: use it.
//   - given and different: refuse to start, unless --change-issuer-base-url.
//   - not given, stored one set explicitly once: use the stored one.
//   - not given, stored one derived from a listener: derive again from this
//     listener; equal: use it; different: refuse (unless
//     --change-issuer-base-url). With --addr HOST:0 the listener takes the
//     stored port (listenAddr), so a kernel-chosen port survives restarts.
//   - not given, nothing stored: derive from the listener, store it.
//
// Deriving: the scheme is http, the port the listener's actual one, the host
// --addr's host as given, except that a wildcard (empty, 0.0.0.0, ::) becomes
// localhost and an IPv6 literal gets its brackets.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/cognate/cognate/internal/userpool"
)

// Meta keys of the issuer base URL. The derived key repeats the URL when the
// stored one was derived from a listener rather than given: a stale marker
// (after a change) names another URL and so means nothing.
const (
	metaIssuerBase        = "issuer-base-url"
	metaIssuerBaseDerived = "issuer-base-url-derived"
)

// normalizeIssuerBase trims trailing slashes and accepts only an absolute
// http(s) URL without query or fragment ("" stays "": not given).
func normalizeIssuerBase(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	base := strings.TrimRight(raw, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#") {
		return "", fmt.Errorf("--issuer-base-url %q must be an absolute http:// or https:// URL without user info, query or fragment", raw)
	}
	return base, nil
}

// derivedHost is how clients name a listener's host.
func derivedHost(listenHost string) string {
	switch listenHost {
	case "", "0.0.0.0", "::":
		return "localhost"
	}
	if strings.Contains(listenHost, ":") {
		return "[" + listenHost + "]"
	}
	return listenHost
}

// deriveIssuerBase is the base for a listener on --addr's host and the
// actual port.
func deriveIssuerBase(listenHost, port string) string {
	return "http://" + derivedHost(listenHost) + ":" + port
}

// storedIssuer is what the database remembers.
type storedIssuer struct {
	Base    string // "" when nothing is stored
	Derived bool   // derived from a listener, not given
}

// listenAddr is the address to listen on: addr, except that a kernel-chosen
// port (HOST:0) becomes the stored base's port when no base is given and the
// stored one was derived from a listener of this host, so that the issuer
// is the same after a restart.
func listenAddr(addr, explicit string, stored storedIssuer, change bool) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: %w", addr, err)
	}
	if port != "0" || explicit != "" || change || !stored.Derived {
		return addr, nil
	}
	u, err := url.Parse(stored.Base)
	if err != nil || u.Scheme != "http" || u.Port() == "" || u.Host != derivedHost(host)+":"+u.Port() {
		return addr, nil
	}
	return net.JoinHostPort(host, u.Port()), nil
}

// issuerDecision is the base to use and what to write back.
type issuerDecision struct {
	Base    string
	Derived bool // Base comes from the listener
	Write   metaWrite
}

type metaWrite int

const (
	writeNothing metaWrite = iota
	writeIfAbsent
	writeReplace
)

// resolveIssuerBase applies the rule at the top of this file. explicit is
// the normalized --issuer-base-url ("" when not given); derived is what this
// listener would be called.
func resolveIssuerBase(explicit, derived string, stored storedIssuer, change bool) (issuerDecision, error) {
	want, wantDerived := explicit, false
	if want == "" {
		want, wantDerived = derived, true
	}
	switch {
	case stored.Base == "":
		return issuerDecision{Base: want, Derived: wantDerived, Write: writeIfAbsent}, nil
	case explicit == "" && !stored.Derived && !change:
		// Given once, remembered since: behind a proxy the listener says
		// nothing about the public URL.
		return issuerDecision{Base: stored.Base}, nil
	case want == stored.Base:
		return issuerDecision{Base: want, Derived: stored.Derived && wantDerived}, nil
	case change:
		return issuerDecision{Base: want, Derived: wantDerived, Write: writeReplace}, nil
	}
	return issuerDecision{}, issuerMismatch(want, stored.Base, explicit != "")
}

func issuerMismatch(want, stored string, given bool) error {
	what, listen := fmt.Sprintf("issuer base URL %q", want), ""
	if !given {
		what = fmt.Sprintf("issuer base URL %q (derived from --addr, as no --issuer-base-url is set)", want)
		listen = " (or listen where it points again)"
	}
	return fmt.Errorf("%s differs from %q, the one this database was first served with (every token names it): "+
		"start with --issuer-base-url %s (COGNATE_ISSUER_BASE_URL)%s, or add --change-issuer-base-url to move this "+
		"database to %s for good (access tokens issued under %s then stop working)", what, stored, stored, listen, want, stored)
}

// loadStoredIssuer reads what the database remembers.
func loadStoredIssuer(ctx context.Context, meta userpool.MetaStore) (storedIssuer, error) {
	base, err := meta.GetMeta(ctx, metaIssuerBase)
	if errors.Is(err, userpool.ErrNotFound) {
		return storedIssuer{}, nil
	}
	if err != nil {
		return storedIssuer{}, fmt.Errorf("reading the stored issuer base URL: %w", err)
	}
	marker, err := meta.GetMeta(ctx, metaIssuerBaseDerived)
	if err != nil && !errors.Is(err, userpool.ErrNotFound) {
		return storedIssuer{}, fmt.Errorf("reading the stored issuer base URL: %w", err)
	}
	return storedIssuer{Base: base, Derived: marker == base}, nil
}

// settleIssuerBase resolves the base for a listener and records it. A
// replica that loses the race to store the first base is judged against the
// winner's.
func settleIssuerBase(ctx context.Context, meta userpool.MetaStore, explicit, derived string, stored storedIssuer, change bool) (string, error) {
	d, err := resolveIssuerBase(explicit, derived, stored, change)
	if err != nil {
		return "", err
	}
	switch d.Write {
	case writeIfAbsent:
		won, err := meta.PutMetaIfAbsent(ctx, metaIssuerBase, d.Base)
		if err != nil {
			return "", fmt.Errorf("storing the issuer base URL: %w", err)
		}
		if won != d.Base {
			// Another replica stored its base first: judge ours against it
			// (its derived marker may not be written yet; then it counts as
			// given).
			again, err := loadStoredIssuer(ctx, meta)
			if err != nil {
				return "", err
			}
			return settleIssuerBase(ctx, meta, explicit, derived, again, false)
		}
	case writeReplace:
		if err := meta.ReplaceMeta(ctx, metaIssuerBase, d.Base); err != nil {
			return "", fmt.Errorf("storing the issuer base URL: %w", err)
		}
	}
	if d.Write != writeNothing && d.Derived {
		if err := meta.ReplaceMeta(ctx, metaIssuerBaseDerived, d.Base); err != nil {
			return "", fmt.Errorf("storing the issuer base URL: %w", err)
		}
	}
	return d.Base, nil
}

// listenWithIssuer listens on --addr (or on the remembered port, see
// listenAddr) and settles the issuer base URL for that listener.
func listenWithIssuer(ctx context.Context, meta userpool.MetaStore, cfg serveConfig) (net.Listener, string, error) {
	stored, err := loadStoredIssuer(ctx, meta)
	if err != nil {
		return nil, "", err
	}
	addr, err := listenAddr(cfg.Addr, cfg.IssuerBase, stored, cfg.ChangeIssuer)
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if addr != cfg.Addr {
			return nil, "", fmt.Errorf("listen on %s: %w: with --addr %s the server takes the port of %q again, the issuer "+
				"base URL this database was first served with (every token names it); free that port, or start with "+
				"--issuer-base-url %s (COGNATE_ISSUER_BASE_URL) to listen elsewhere under the same issuer, or add "+
				"--change-issuer-base-url to move to a new port for good", addr, err, cfg.Addr, stored.Base, stored.Base)
		}
		return nil, "", err
	}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	base, err := settleIssuerBase(ctx, meta, cfg.IssuerBase, deriveIssuerBase(host, port), stored, cfg.ChangeIssuer)
	if err != nil {
		ln.Close()
		return nil, "", err
	}
	return ln, base, nil
}
