// Command signonly is a measuring stick for `cognate bench`, not a server to
// run: it answers sign-in (AdminInitiateAuth) and refresh (InitiateAuth with
// REFRESH_TOKEN_AUTH) by signing the two JWTs and nothing else — no SigV4
// check, no validation, no store, no password — and passes every other
// request to a real Cognate behind it, which the bench's setup needs.
//
// Against it the bench shows the best fraction of the machine's RSA ceiling
// that any server can reach with the load generator on the same cores: what
// is left over is the HTTP exchange and aws-sdk-go-v2's own work.
//
//	go run ./internal/bench/signonly --addr 127.0.0.1:9340 --upstream http://127.0.0.1:9339
//	cognate bench --endpoint-url http://127.0.0.1:9340 --workload signin,refresh …
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cognate/cognate/internal/token"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9340", "listen address")
	upstream := flag.String("upstream", "http://127.0.0.1:9339", "the Cognate that answers everything else")
	flag.Parse()
	up, err := url.Parse(*upstream)
	if err != nil {
		log.Fatal(err)
	}
	h, err := newHandler(httputil.NewSingleHostReverseProxy(up))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(os.Stderr, "signonly: listening on", *addr, "in front of", *upstream)
	log.Fatal(http.ListenAndServe(*addr, h))
}

// handler signs for the two auth calls and forwards the rest.
type handler struct {
	key     *token.Key
	signer  *token.Signer
	forward http.Handler
	metrics http.Handler
}

func newHandler(forward http.Handler) (*handler, error) {
	key, err := token.GenerateKey(token.Use("sig"), time.Now())
	if err != nil {
		return nil, err
	}
	signer, err := token.NewSigner(key)
	if err != nil {
		return nil, err
	}
	// Its own process metrics, so that the bench's server CPU per call is
	// this process's, not the upstream's.
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &handler{key: key, signer: signer, forward: forward, metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})}, nil
}

// authInput is the part of (Admin)InitiateAuth's input this server reads.
type authInput struct {
	UserPoolID     string `json:"UserPoolId"`
	ClientID       string `json:"ClientId"`
	AuthFlow       string
	AuthParameters map[string]string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/metrics" {
		h.metrics.ServeHTTP(w, r)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	if target != "AWSCognitoIdentityProviderService.AdminInitiateAuth" && target != "AWSCognitoIdentityProviderService.InitiateAuth" {
		h.forward.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var in authInput
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	switch in.AuthFlow {
	case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
	default:
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.forward.ServeHTTP(w, r)
		return
	}
	out, err := h.tokens(in)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Write(out)
}

// tokens signs an access and an ID token with claims like Cognate's (same fields, a made-up sub and ids).
func (h *handler) tokens(in authInput) ([]byte, error) {
	now := time.Now().Unix()
	sub := uuid.NewString()
	iss := "http://127.0.0.1/" + in.UserPoolID
	username := in.AuthParameters["USERNAME"]
	family := uuid.NewString()
	access, err := h.signer.Sign(token.AccessClaims{Sub: sub, Iss: iss, ClientID: in.ClientID, OriginJTI: family,
		EventID: uuid.NewString(), TokenUse: "access", Scope: "aws.cognito.signin.user.admin", AuthTime: now,
		Exp: now + 3600, Iat: now, JTI: uuid.NewString(), Username: username, Version: 2})
	if err != nil {
		return nil, err
	}
	id, err := h.signer.Sign(&token.IDClaims{Sub: sub, Iss: iss, CognitoUsername: username, OriginJTI: family,
		Aud: in.ClientID, EventID: uuid.NewString(), TokenUse: "id", AuthTime: now, Exp: now + 3600, Iat: now,
		JTI: uuid.NewString(), Attributes: map[string]any{"email": username + "@example.com", "email_verified": true}})
	if err != nil {
		return nil, err
	}
	result := map[string]any{"AccessToken": access, "IdToken": id, "ExpiresIn": 3600, "TokenType": "Bearer"}
	if in.AuthFlow != "REFRESH_TOKEN_AUTH" && in.AuthFlow != "REFRESH_TOKEN" {
		result["RefreshToken"] = uuid.NewString() + uuid.NewString()
	}
	return json.Marshal(map[string]any{"AuthenticationResult": result, "ChallengeParameters": map[string]string{}})
}
