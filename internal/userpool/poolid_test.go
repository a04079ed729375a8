package userpool

import "testing"

func TestSplitPoolID(t *testing.T) {
	for _, c := range []struct{ id, region, name string }{
		{"us-east-1_AbC123xyZ", "us-east-1", "AbC123xyZ"},
		{"eu-west-2_a_b", "eu-west-2", "a_b"}, // the name is everything after the first "_"
		{"local", "local", ""},
		{"", "", ""},
	} {
		if region, name := SplitPoolID(c.id); region != c.region || name != c.name {
			t.Errorf("SplitPoolID(%q) = %q, %q; want %q, %q", c.id, region, name, c.region, c.name)
		}
	}
	id := newPoolID("ap-south-1")
	if region, name := SplitPoolID(id); region != "ap-south-1" || len(name) != 9 {
		t.Errorf("newPoolID: %q", id)
	}
}
