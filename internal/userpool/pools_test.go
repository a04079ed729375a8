package userpool

import "testing"

// A pool without MfaConfiguration (stored before the default existed)
// answers OFF, as a new pool does.
func TestMFAMode(t *testing.T) {
	for _, c := range []struct{ set, want string }{{"", "OFF"}, {"OFF", "OFF"}, {"ON", "ON"}, {"OPTIONAL", "OPTIONAL"}} {
		p := Pool{Settings: PoolSettings{MfaConfiguration: c.set}}
		if got := p.MFAMode(); got != c.want {
			t.Errorf("MfaConfiguration %q: MFAMode %q, want %q", c.set, got, c.want)
		}
	}
	st, err := normalizePoolSettings(PoolSettings{})
	if err != nil || st.MfaConfiguration != "OFF" {
		t.Errorf("a new pool's MfaConfiguration %q (%v), want OFF", st.MfaConfiguration, err)
	}
}
