package awsmodel

import "testing"

func TestDefaultModel(t *testing.T) {
	m := Default()
	if m.TargetPrefix != "AWSCognitoIdentityProviderService" {
		t.Fatalf("target prefix %q", m.TargetPrefix)
	}
	unsigned := 0
	for _, op := range m.Operations() {
		if !op.Signed {
			unsigned++
		}
	}
	if unsigned != 32 {
		t.Fatalf("%d unsigned operations, want 32", unsigned)
	}
	op, ok := m.Operation("AdminUserGlobalSignOut")
	if !ok || !op.Signed || op.Input == nil {
		t.Fatalf("AdminUserGlobalSignOut: %+v", op)
	}
	if len(op.Input.Members) != 2 || op.Input.Members[0].Name != "UserPoolId" || op.Input.Members[1].Name != "Username" {
		t.Fatalf("members %+v", op.Input.Members)
	}
	pool := op.Input.MemberByName("UserPoolId").Shape
	if pool.Pattern != `[\w-]+_[0-9a-zA-Z]+` || *pool.Min != 1 || *pool.Max != 55 {
		t.Fatalf("UserPoolIdType %+v", pool)
	}
	if !op.Input.IsRequired("Username") || !op.Input.MemberByName("Username").Shape.Sensitive {
		t.Fatal("Username should be required and sensitive")
	}
	if gs, _ := m.Operation("GlobalSignOut"); gs.Signed {
		t.Fatal("GlobalSignOut must be unsigned")
	}
	// Recursive references resolve without looping.
	if m.Shape("AttributeListType").Member.MemberByName("Name") == nil {
		t.Fatal("list member not resolved")
	}
}
