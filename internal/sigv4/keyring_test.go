package sigv4

import (
	"bytes"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/policy"
	"github.com/cognate/cognate/internal/userpool"
)

const limitedPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cognito-idp:List*","Resource":"*"}]}`

func TestParseCredentials(t *testing.T) {
	ring, err := ParseCredentials([]byte(`{"principals":[
		{"accessKeyId":"AKIDADMIN","secretAccessKey":"s1","name":"admin"},
		{"accessKeyId":"AKIDCI","secretAccessKey":"s2","name":"ci","expires":"2030-01-31T00:00:00Z","policy":` + limitedPolicy + `}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if admin := ring["AKIDADMIN"]; admin.Policy != nil || admin.Expires != nil || admin.Name != "admin" {
		t.Fatalf("a principal without policy or expiry: %+v", admin)
	}
	ci := ring["AKIDCI"]
	if ci.Policy == nil || ci.Expires == nil || !ci.Expires.Equal(time.Date(2030, 1, 31, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("the CI principal: %+v", ci)
	}
	if ci.Policy.Evaluate("cognito-idp:ListUsers", "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_a") != policy.Allowed ||
		ci.Policy.Evaluate("cognito-idp:AdminDeleteUser", "*") != policy.ImplicitDeny {
		t.Fatal("the CI principal's policy does not apply")
	}

	for _, c := range []struct{ doc, want string }{
		{`{"principals":[]}`, "lists no principals"},
		{`{}`, "lists no principals"},
		{`{"principals":[{"accessKeyId":"A","secretAccessKey":"s","polcy":{}}]}`, `principal 1: unknown field "polcy"`},
		{`{"principals":[{"accessKeyId":"A","secretAccessKey":""}]}`, "principal 1: accessKeyId and secretAccessKey are required"},
		{`{"principals":[{"accessKeyId":"A","secretAccessKey":"s"},{"accessKeyId":"A","secretAccessKey":"t"}]}`, "principal 2: access key A is listed twice"},
		{`{"principals":[{"accessKeyId":"A","secretAccessKey":"s","expires":"tomorrow"}]}`, "principal 1: expires must be an RFC 3339 time"},
		{`{"principals":[{"accessKeyId":"A","secretAccessKey":"s","policy":{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}]}}]}`,
			"principal 1: policy Statement 1: Condition is not supported"},
		{`{"principals":[{"accessKeyId":"A","secretAccessKey":"s","policy":"*"}]}`, "principal 1: policy:"},
		{`{"principals": [`, "unexpected EOF"},
		{`{"keys":[]}`, `unknown field "keys"`},
	} {
		if _, err := ParseCredentials([]byte(c.doc)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseCredentials(%s) = %v, want an error with %q", c.doc, err, c.want)
		}
	}
}

// clock is a settable time for the keyring's once-a-second check.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestFileKeyringReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	write := func(doc string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"principals":[{"accessKeyId":"A","secretAccessKey":"s"}]}`)
	var logs bytes.Buffer
	c := &clock{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	k, err := LoadFileKeyring(path, slog.New(slog.NewTextHandler(&logs, nil)), c.now)
	if err != nil {
		t.Fatal(err)
	}
	has := func(id string) bool { _, ok := k.Lookup(id); return ok }
	if !has("A") || has("B") {
		t.Fatal("initial keys")
	}

	write(`{"principals":[{"accessKeyId":"B","secretAccessKey":"s","policy":` + limitedPolicy + `}]}`)
	if !has("A") || has("B") {
		t.Fatal("the file was read again within a second")
	}
	c.t = c.t.Add(time.Second)
	if has("A") || !has("B") {
		t.Fatal("the changed file was not read after a second")
	}
	if b, _ := k.Lookup("B"); b.Policy == nil {
		t.Fatal("the reloaded key lost its policy")
	}

	// A malformed file keeps the keys and is logged once, not every second.
	write(`{"principals":[{"accessKeyId":"C"`)
	for range 3 {
		c.t = c.t.Add(time.Second)
		if !has("B") {
			t.Fatal("a malformed file replaced the keys")
		}
	}
	if n := strings.Count(logs.String(), "credentials file not reloaded"); n != 1 {
		t.Fatalf("the malformed file was logged %d times:\n%s", n, logs.String())
	}
	os.Remove(path)
	c.t = c.t.Add(time.Second)
	if !has("B") || strings.Count(logs.String(), "credentials file not reloaded") != 2 {
		t.Fatalf("a removed file: %v\n%s", has("B"), logs.String())
	}

	// Reload reads at once, without waiting for the second.
	write(`{"principals":[{"accessKeyId":"D","secretAccessKey":"s"}]}`)
	if err := k.Reload(); err != nil || !has("D") {
		t.Fatalf("Reload: %v", err)
	}
	if !strings.Contains(logs.String(), "credentials reloaded") {
		t.Fatalf("no reload logged:\n%s", logs.String())
	}
	write(`{"principals":[]}`)
	if err := k.Reload(); err == nil || !strings.Contains(err.Error(), "lists no principals") || !has("D") {
		t.Fatalf("Reload of an empty file: %v", err)
	}
}

func TestExpiredKeyIsUnknown(t *testing.T) {
	for _, c := range []struct {
		expires time.Time
		ok      bool
	}{
		{vectorTime.Add(-time.Second), false},
		{vectorTime, false}, // expires at that instant
		{vectorTime.Add(time.Second), true},
	} {
		v := verifierAt(vectorTime)
		cred := v.Keys.(StaticKeyring)[exampleKey]
		cred.Expires = &c.expires
		v.Keys = StaticKeyring{exampleKey: cred}
		r, body := vectorRequest(vectorAuth)
		_, err := v.Verify(r, body)
		if c.ok && err != nil {
			t.Fatalf("a key expiring at %v: %v", c.expires, err)
		}
		if !c.ok {
			expectError(t, err, userpool.UnrecognizedClient, msgUnknownKey)
		}
	}
}

// Lookups race reloads safely (run with -race): each sees one whole keyring.
func TestFileKeyringConcurrentReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	docs := []string{`{"principals":[{"accessKeyId":"A","secretAccessKey":"a"},{"accessKeyId":"B","secretAccessKey":"b"}]}`,
		`{"principals":[{"accessKeyId":"A","secretAccessKey":"a"},{"accessKeyId":"C","secretAccessKey":"c"}]}`}
	if err := os.WriteFile(path, []byte(docs[0]), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadFileKeyring(path, nil, func() time.Time { return time.Now().Add(time.Duration(rand.Int64N(int64(time.Hour)))) })
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 300 {
				if _, ok := k.Lookup("A"); !ok {
					t.Error("a key in every version went missing")
					return
				}
			}
		})
	}
	for i := range 50 {
		os.WriteFile(path+".tmp", []byte(docs[i%2]), 0o600)
		os.Rename(path+".tmp", path)
		k.Reload()
	}
	wg.Wait()
}
