package awsmodel

// OutboxTarget is the X-Amz-Target of Cognate's one operation outside the
// Cognito model: a SigV4-signed JSON call listing the messages (and their
// codes) that Cognito would have sent by email or SMS. The server answers
// it, `cognate outbox` calls it.
const OutboxTarget = "CognateService.ListOutboxMessages"

// Target is the X-Amz-Target of the model's operation named op.
func (m *Model) Target(op string) string { return m.TargetPrefix + "." + op }
