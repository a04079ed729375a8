package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/cognate/cognate/internal/awsjson"
	"github.com/cognate/cognate/internal/userpool"
)

type clientUserRef struct {
	ClientId, SecretHash, Username string
	ClientMetadata                 map[string]string // for the triggers the operation runs
}

// adminUserRef is userRef with the ClientMetadata admin confirmations and
// resets pass to their triggers.
type adminUserRef struct {
	UserPoolId, Username string
	ClientMetadata       map[string]string
}

// accountOperations adds sign-up, confirmation, passwords and attribute
// verification to the table.
func (s *Server) accountOperations(ops map[string]handler) {
	a := s.Accounts
	ops["SignUp"] = typed(func(ctx context.Context, c *call, in *userpool.SignUpInput) (any, error) {
		r, err := a.SignUp(ctx, *in)
		out := signUpResponse{UserConfirmed: r.UserConfirmed, UserSub: r.UserSub}
		if err == nil { // the Session of USER_AUTH's sign-in after sign-up (userauth)
			out.Session, err = s.Auth.SignUpSession(ctx, in.ClientId, r.UserSub)
		}
		if r.Delivery != nil {
			d := renderCodeDelivery(*r.Delivery)
			out.CodeDeliveryDetails = &d
		}
		return out, err
	})
	ops["ConfirmSignUp"] = typed(func(ctx context.Context, c *call, in *struct {
		ClientId, SecretHash, Username, ConfirmationCode string
		ClientMetadata                                   map[string]string
	}) (any, error) {
		ctx = userpool.WithClientMetadata(ctx, in.ClientMetadata)
		if err := a.ConfirmSignUp(ctx, in.ClientId, in.SecretHash, in.Username, in.ConfirmationCode); err != nil {
			return confirmSignUpResponse{}, err
		}
		session, err := s.Auth.ConfirmedSession(ctx, in.ClientId, in.Username) // userauth
		return confirmSignUpResponse{Session: session}, err
	})
	ops["AdminConfirmSignUp"] = typed(func(ctx context.Context, c *call, in *adminUserRef) (any, error) {
		ctx = userpool.WithClientMetadata(ctx, in.ClientMetadata)
		return empty{}, a.AdminConfirmSignUp(ctx, in.UserPoolId, in.Username)
	})
	ops["ResendConfirmationCode"] = typed(func(ctx context.Context, c *call, in *clientUserRef) (any, error) {
		ctx = userpool.WithClientMetadata(ctx, in.ClientMetadata)
		d, err := a.ResendConfirmationCode(ctx, in.ClientId, in.SecretHash, in.Username)
		return codeDeliveryResponse{renderCodeDelivery(d)}, err
	})
	ops["ForgotPassword"] = typed(func(ctx context.Context, c *call, in *clientUserRef) (any, error) {
		ctx = userpool.WithClientMetadata(ctx, in.ClientMetadata)
		d, err := a.ForgotPassword(ctx, in.ClientId, in.SecretHash, in.Username)
		return codeDeliveryResponse{renderCodeDelivery(d)}, err
	})
	ops["ConfirmForgotPassword"] = typed(func(ctx context.Context, c *call, in *struct {
		ClientId, SecretHash, Username, ConfirmationCode, Password string
		ClientMetadata                                             map[string]string
	}) (any, error) {
		ctx = userpool.WithClientMetadata(ctx, in.ClientMetadata)
		return empty{}, a.ConfirmForgotPassword(ctx, in.ClientId, in.SecretHash, in.Username, in.ConfirmationCode, in.Password)
	})
	ops["AdminResetUserPassword"] = typed(func(ctx context.Context, c *call, in *adminUserRef) (any, error) {
		ctx = userpool.WithClientMetadata(ctx, in.ClientMetadata)
		return empty{}, a.AdminResetUserPassword(ctx, in.UserPoolId, in.Username)
	})
	ops["ChangePassword"] = typed(func(ctx context.Context, c *call, in *struct{ PreviousPassword, ProposedPassword, AccessToken string }) (any, error) {
		return empty{}, a.ChangePassword(ctx, in.AccessToken, in.PreviousPassword, in.ProposedPassword)
	})
	ops["UpdateUserAttributes"] = typed(func(ctx context.Context, c *call, in *struct {
		AccessToken    string
		UserAttributes []userpool.Attribute
	}) (any, error) {
		ds, err := a.UpdateAttributes(ctx, in.AccessToken, in.UserAttributes)
		return updateUserAttributesResponse{renderList(ds, renderCodeDelivery)}, err
	})
	ops["DeleteUserAttributes"] = typed(func(ctx context.Context, c *call, in *struct {
		AccessToken        string
		UserAttributeNames []string
	}) (any, error) {
		return empty{}, a.DeleteAttributes(ctx, in.AccessToken, in.UserAttributeNames, s.Users)
	})
	ops["GetUserAttributeVerificationCode"] = typed(func(ctx context.Context, c *call, in *struct{ AccessToken, AttributeName string }) (any, error) {
		d, err := a.AttributeVerificationCode(ctx, in.AccessToken, in.AttributeName)
		return codeDeliveryResponse{renderCodeDelivery(d)}, err
	})
	ops["VerifyUserAttribute"] = typed(func(ctx context.Context, c *call, in *struct{ AccessToken, AttributeName, Code string }) (any, error) {
		return empty{}, a.VerifyAttribute(ctx, in.AccessToken, in.AttributeName, in.Code)
	})
	ops["AdminListUserAuthEvents"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId, Username, NextToken string
		MaxResults                      int
	}) (any, error) {
		events, next, err := a.AuthEvents(ctx, in.UserPoolId, in.Username, in.MaxResults, in.NextToken)
		return adminListUserAuthEventsResponse{AuthEvents: renderList(events, renderAuthEvent), NextToken: next}, err
	})
	ops["AddCustomAttributes"] = typed(func(ctx context.Context, c *call, in *struct {
		UserPoolId       string
		CustomAttributes []userpool.SchemaAttribute
	}) (any, error) {
		return empty{}, a.AddCustomAttributes(ctx, in.UserPoolId, in.CustomAttributes)
	})
}

// serveOutbox answers awsmodel.OutboxTarget.
func (s *Server) serveOutbox(w http.ResponseWriter, r *http.Request, reqID string, body []byte) {
	res, err := s.Verifier.Verify(r, body)
	if err != nil {
		s.auditSignatureFailure(r.Context(), r, "ListOutboxMessages", err)
		awsjson.WriteError(w, reqID, err)
		return
	}
	var in struct {
		UserPoolId string
		Username   string
		After      int64
	}
	if err := jsonUnmarshal(body, &in); err != nil || !strings.Contains(in.UserPoolId, "_") {
		awsjson.WriteError(w, reqID, userpool.Errorf(userpool.InvalidParameter, "UserPoolId is required."))
		return
	}
	if err := s.authorize(r.Context(), r, res.Principal, "ListOutboxMessages", in.UserPoolId); err != nil {
		awsjson.WriteError(w, reqID, err)
		return
	}
	s.auditCall(r.Context(), r, "ListOutboxMessages", userpool.Caller{AccessKeyID: res.Principal.AccessKeyID}, body, nil)
	msgs, err := s.Accounts.Outbox(r.Context(), in.UserPoolId, in.Username, in.After, 1000)
	if err != nil {
		awsjson.WriteError(w, reqID, err)
		return
	}
	awsjson.WriteResult(w, reqID, outboxResponse{renderList(msgs, func(m userpool.Message) outboxMessage {
		return outboxMessage{Code: m.Code, CreatedDate: m.CreatedAt.Format(time.RFC3339Nano), DeliveryMedium: m.Medium,
			Destination: m.Destination, Id: m.ID, Message: m.Body, Purpose: m.Purpose, Username: m.Username}
	})})
}
