package userpool

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/google/uuid"
)

// Authentication events are recorded, and listed by AdminListUserAuthEvents,
// only in pools with advanced security (UserPoolAddOns AUDIT or ENFORCED), as
// in Cognito. They are honest records: what was attempted, the outcome, the
// client's IP. Cognate does no risk scoring: every event is NoRisk.

type clientIPKey struct{}

// WithClientIP attaches the caller's IP to ctx (set by the HTTP edge).
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

func clientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

func advancedSecurity(p *Pool) bool {
	var addOns struct{ AdvancedSecurityMode string }
	if len(p.Settings.UserPoolAddOns) == 0 || json.Unmarshal(p.Settings.UserPoolAddOns, &addOns) != nil {
		return false
	}
	return addOns.AdvancedSecurityMode == "AUDIT" || addOns.AdvancedSecurityMode == "ENFORCED"
}

// recordEvent stores an authentication event when the pool audits them.
func recordEvent(ctx context.Context, st Store, now Clock, p *Pool, u *User, typ, challenge string, ok bool) error {
	if !advancedSecurity(p) {
		return nil
	}
	resp, outcome := "Fail", "Failure"
	if ok {
		resp, outcome = "Pass", "Success"
	}
	return st.AddAuthEvent(ctx, AuthEvent{PoolID: p.ID, UserSub: u.Sub, ID: uuid.NewString(), Type: typ, Response: resp,
		Challenges: []ChallengeResult{{ChallengeName: challenge, ChallengeResponse: outcome}}, IP: clientIP(ctx), CreatedAt: now()})
}

// AuthEvents is AdminListUserAuthEvents: newest first, paged.
func (s *Accounts) AuthEvents(ctx context.Context, poolID, username string, max int, token string) ([]AuthEvent, string, error) {
	pool, u, _, err := poolUser(ctx, s.Store, poolID, username)
	if err != nil {
		return nil, "", err
	}
	if !advancedSecurity(&pool) {
		return nil, "", Errorf("UserPoolAddOnNotEnabledException", "Advanced security features is not enabled for this user pool.")
	}
	if max <= 0 || max > 60 {
		max = 60
	}
	offset := 0
	if token != "" {
		raw, err := decodePageToken(token)
		if err != nil {
			return nil, "", err
		}
		if offset, err = strconv.Atoi(raw); err != nil || offset < 0 {
			return nil, "", Errorf(InvalidParameter, "Invalid pagination token.")
		}
	}
	events, err := s.Store.ListAuthEvents(ctx, pool.ID, u.Sub, offset, max+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(events) > max {
		events = events[:max]
		next = encodePageToken(strconv.Itoa(offset + max))
	}
	return events, next, nil
}
