package sqlstore

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cognate/cognate/internal/secret"
	"github.com/cognate/cognate/internal/userpool"
)

// BenchmarkParseSealedClientSecret is what reading a confidential client's
// secrets column costs with sealing: JSON, base64 and one AES-GCM open.
// SQLite pays it once per cache fill, PostgreSQL on every client read.
func BenchmarkParseSealedClientSecret(b *testing.B) {
	k, _ := secret.New(bytes.Repeat([]byte{3}, secret.KeySize))
	benchParse(b, k)
}

// BenchmarkParsePlainClientSecret is the same column before sealing.
func BenchmarkParsePlainClientSecret(b *testing.B) { benchParse(b, nil) }

func benchParse(b *testing.B, k secret.Sealer) {
	t0 := time.Unix(1767322445, 0)
	id := strings.Repeat("c", 26)
	col := encodeClientSecrets(id, []userpool.ClientSecret{{ID: userpool.ClientSecretID(id, t0), Value: strings.Repeat("s", 51), CreatedAt: t0}}, k)
	b.ReportAllocs()
	for b.Loop() {
		if s, _, err := parseClientSecrets(col, id, t0, k); err != nil || len(s) != 1 {
			b.Fatal(err)
		}
	}
}
