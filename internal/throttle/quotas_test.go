package throttle

import (
	"testing"
	"time"
)

func TestCategoryOf(t *testing.T) {
	tests := []struct {
		op   string
		want Category
		ok   bool
	}{
		{"InitiateAuth", UserAuthentication, true},
		{"AdminRespondToAuthChallenge", UserAuthentication, true},
		{"SignUp", UserCreation, true},
		{"ConfirmSignUp", UserCreation, true},
		{"ForgotPassword", UserAccountRecovery, true},
		{"ConfirmForgotPassword", UserAccountRecovery, true},
		{"ResendConfirmationCode", UserAccountRecovery, true},
		{"ChangePassword", UserAccountRecovery, true},
		{"GetUser", UserRead, true},
		{"UpdateUserAttributes", UserUpdate, true},
		{"VerifyUserAttribute", UserUpdate, true},
		{"AdminCreateUser", "", false},
		{"CreateUserPool", "", false},
	}
	for _, tc := range tests {
		if got, ok := CategoryOf(tc.op); got != tc.want || ok != tc.ok {
			t.Errorf("%s: %q %v, want %q %v", tc.op, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseRates(t *testing.T) {
	tests := []struct {
		spec    string
		want    map[Category]float64 // the categories checked
		wantErr bool
	}{
		{"", map[Category]float64{UserCreation: 50, UserAccountRecovery: 30, UserUpdate: 25, UserRead: 0}, false},
		{"UserCreation=5, UserRead=100", map[Category]float64{UserCreation: 5, UserRead: 100, UserAccountRecovery: 30}, false},
		{"off", map[Category]float64{UserCreation: 0, UserAccountRecovery: 0, UserUpdate: 0, UserAuthentication: 120}, false},
		{"UserCreation=0", map[Category]float64{UserCreation: 0}, false},
		{"Nonsense=5", nil, true},
		{"UserCreation", nil, true},
		{"UserCreation=-1", nil, true},
		{"UserCreation=fast", nil, true},
	}
	for _, tc := range tests {
		got, err := ParseRates(tc.spec)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: error %v", tc.spec, err)
			continue
		}
		for c, r := range tc.want {
			if got[c] != r {
				t.Errorf("%q: %s = %v, want %v", tc.spec, c, got[c], r)
			}
		}
	}
}

// Each category's bucket is per client and per IP: a client past its
// burst is refused from any IP, an IP past it for any client, and other
// categories, clients and IPs go on.
func TestQuotas(t *testing.T) {
	now := time.Unix(1000, 0)
	q := NewQuotas(map[Category]float64{UserCreation: 5, UserAccountRecovery: 0}, func() time.Time { return now })
	allowed := 0
	for i := range 30 {
		if q.Allow(UserCreation, "client-a", "ip-"+string(rune('a'+i%26))) {
			allowed++
		}
	}
	if allowed != 10 {
		t.Fatalf("client-a got %d of 30 from many IPs, want the burst of 10", allowed)
	}
	allowed = 0
	for i := range 30 {
		if q.Allow(UserCreation, "client-"+string(rune('b'+i%20)), "ip-z2") {
			allowed++
		}
	}
	if allowed != 10 {
		t.Fatalf("ip-z2 got %d of 30 for many clients, want the burst of 10", allowed)
	}
	if !q.Allow(UserAccountRecovery, "client-a", "ip-z2") || !q.Allow(UserRead, "client-a", "ip-z2") {
		t.Fatal("a category without a rate was limited")
	}
	if !q.Allow(UserCreation, "client-new", "ip-new") {
		t.Fatal("a fresh client and IP were refused")
	}
	now = now.Add(time.Second)
	if !q.Allow(UserCreation, "client-a", "ip-fresh") {
		t.Fatal("the bucket did not refill")
	}
	var none *Quotas
	if !none.Allow(UserCreation, "x", "y") {
		t.Fatal("nil quotas must allow")
	}
}
