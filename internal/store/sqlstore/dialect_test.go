package sqlstore

import "testing"

func TestRebind(t *testing.T) {
	var r Rebinder
	for range 2 { // the second answer comes from the memo
		if got := r.Rebind(`SELECT a FROM t WHERE b = ? AND (? = '' OR c = ?)`); got != `SELECT a FROM t WHERE b = $1 AND ($2 = '' OR c = $3)` {
			t.Fatalf("Rebind: %s", got)
		}
	}
	if got := r.Rebind(`DELETE FROM t`); got != `DELETE FROM t` {
		t.Fatalf("Rebind without placeholders: %s", got)
	}
}
