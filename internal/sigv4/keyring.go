package sigv4

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CredentialsFile is the document of <data-dir>/credentials.json: the admin
// principals, each with an optional policy and expiry.
type CredentialsFile struct {
	Principals []Credential `json:"principals"`
}

// ParseCredentials reads a credentials file. It refuses members it does not
// know (a misspelt "policy" must not leave a key with full power), keys
// without an id or a secret, and an id listed twice.
func ParseCredentials(data []byte) (StaticKeyring, error) {
	var f struct {
		Principals []json.RawMessage `json:"principals"`
	}
	if err := strictDecode(data, &f); err != nil {
		return nil, err
	}
	ring := StaticKeyring{}
	for i, raw := range f.Principals {
		var c Credential
		err := strictDecode(raw, &c)
		switch {
		case err != nil:
		case c.AccessKeyID == "" || c.SecretAccessKey == "":
			err = errors.New("accessKeyId and secretAccessKey are required")
		case ring[c.AccessKeyID].AccessKeyID != "":
			err = fmt.Errorf("access key %s is listed twice", c.AccessKeyID)
		}
		if err != nil {
			return nil, fmt.Errorf("principal %d: %w", i+1, err)
		}
		ring[c.AccessKeyID] = c
	}
	if len(ring) == 0 {
		return nil, errors.New("lists no principals")
	}
	return ring, nil
}

func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var timeErr *time.ParseError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &timeErr):
		return fmt.Errorf("expires must be an RFC 3339 time such as 2030-01-31T00:00:00Z, not %s", timeErr.Value)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// FileKeyring is the keyring of a credentials file, read again when its
// content changes: Lookup looks at the file at most once a second, and
// Reload at once. A file that can't be read or parsed leaves the keys in
// force and logs why, once per distinct problem.
type FileKeyring struct {
	path string
	log  *slog.Logger
	now  func() time.Time

	ring      atomic.Pointer[StaticKeyring]
	nextCheck atomic.Int64 // unix nanoseconds

	mu      sync.Mutex // serializes reloads
	current []byte     // the content ring came from
	problem string     // the last reload's error, logged once
}

// LoadFileKeyring reads the credentials file at path. log and now may be
// nil (no log; time.Now).
func LoadFileKeyring(path string, log *slog.Logger, now func() time.Time) (*FileKeyring, error) {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ring, err := ParseCredentials(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	k := &FileKeyring{path: path, log: log, now: now, current: data}
	k.ring.Store(&ring)
	k.nextCheck.Store(now().Add(time.Second).UnixNano())
	return k, nil
}

// Lookup implements Keyring.
func (k *FileKeyring) Lookup(accessKeyID string) (Credential, bool) {
	now := k.now().UnixNano()
	if next := k.nextCheck.Load(); now >= next && k.nextCheck.CompareAndSwap(next, now+int64(time.Second)) {
		k.Reload()
	}
	return k.ring.Load().Lookup(accessKeyID)
}

// Reload reads the file now and, when its content changed and parses,
// replaces the keys; an error says why the file's content is not in force.
func (k *FileKeyring) Reload() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	data, err := os.ReadFile(k.path)
	if err == nil && bytes.Equal(data, k.current) {
		k.problem = ""
		return nil
	}
	var ring StaticKeyring
	if err == nil {
		ring, err = ParseCredentials(data)
	}
	if err != nil {
		if msg := err.Error(); msg != k.problem {
			k.problem = msg
			k.log.Error("credentials file not reloaded; the keys loaded before stay in force", "path", k.path, "error", msg)
		}
		return fmt.Errorf("%s: %w", k.path, err)
	}
	k.ring.Store(&ring)
	k.current, k.problem = data, ""
	k.log.Info("credentials reloaded", "path", k.path, "principals", len(ring))
	return nil
}
