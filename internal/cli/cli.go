package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/cognate/cognate/internal/awsmodel"
)

// Exit codes of AWS CLI v1.
const (
	ExitServiceError = 255
	ExitUsage        = 2
)

// ExitError carries the process exit code of a failed command; its message
// has already been printed.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Commands returns one cobra command per model operation.
func Commands(m *awsmodel.Model) []*cobra.Command {
	var cmds []*cobra.Command
	for _, op := range m.Operations() {
		cmds = append(cmds, Command(op))
	}
	return cmds
}

// Command is the command of one operation.
func Command(op *awsmodel.Operation) *cobra.Command {
	return &cobra.Command{
		Use:                Kebab(op.Name),
		Short:              firstSentence(op.Doc),
		DisableFlagParsing: true,
		SilenceUsage:       true,
		SilenceErrors:      true,
		RunE: func(cmd *cobra.Command, args []string) error {
			code := Run(cmd.Context(), op, args, cmd.OutOrStdout(), cmd.ErrOrStderr())
			if code != 0 {
				return &ExitError{Code: code}
			}
			return nil
		},
	}
}

// Run executes one operation command and returns its exit code.
func Run(ctx context.Context, op *awsmodel.Operation, argv []string, stdout, stderr io.Writer) int {
	usage := func(msg string) int {
		fmt.Fprintf(stderr, "usage: cognate [options] <command> [parameters]\nTo see help text, you can run:\n\n  cognate %s --help\ncognate: error: %s\n", Kebab(op.Name), msg)
		return ExitUsage
	}
	opts, params, err := parseArgs(op, argv)
	var ue *UsageError
	var unk *unknownOptionsError
	switch {
	case errors.As(err, &ue):
		return usage(ue.Msg)
	case errors.As(err, &unk):
		fmt.Fprintf(stderr, "\n%s\n", unk.Error())
		return ExitServiceError
	case err != nil:
		fmt.Fprintf(stderr, "\n%s\n", err)
		return ExitServiceError
	}
	if opts.Help {
		writeHelp(stdout, op)
		return 0
	}
	if opts.SkeletonSet && opts.Skeleton == "input" {
		writeJSON(stdout, skeleton(op.Input, false, nil))
		return 0
	}
	body := map[string]any{}
	if opts.CLIInputJSON != "" {
		raw, err := readFileArg(opts.CLIInputJSON)
		if err != nil {
			fmt.Fprintf(stderr, "\n%s\n", err)
			return ExitServiceError
		}
		if err := json.Unmarshal([]byte(raw), &body); err != nil {
			fmt.Fprintf(stderr, "\nError parsing parameter 'cli-input-json': Invalid JSON: %v\nJSON received: %s\n", err, raw)
			return ExitServiceError
		}
	}
	for k, v := range params { // explicit flags override --cli-input-json
		body[k] = v
	}
	if op.Input != nil {
		var missing []string
		for _, r := range op.Input.Required {
			if _, ok := body[r]; !ok {
				missing = append(missing, "--"+Kebab(r))
			}
		}
		if len(missing) > 0 {
			return usage("the following arguments are required: " + strings.Join(missing, ", "))
		}
	}
	if opts.SkeletonSet && opts.Skeleton == "output" {
		if op.Output != nil && len(op.Output.Members) > 0 {
			writeJSON(stdout, skeleton(op.Output, true, nil))
		}
		return 0
	}
	resp, err := send(ctx, awsmodel.Default().Target(op.Name), op.Signed, opts, body)
	if err != nil {
		fmt.Fprintf(stderr, "\n%s\n", err)
		return ExitServiceError
	}
	if resp.code != "" {
		fmt.Fprintf(stderr, "\nAn error occurred (%s) when calling the %s operation: %s\n", resp.code, op.Name, resp.message)
		return ExitServiceError
	}
	if len(bytes.TrimSpace(resp.body)) > 0 && !isEmptyObject(resp.body) {
		var out bytes.Buffer
		if err := json.Indent(&out, resp.body, "", "    "); err != nil {
			stdout.Write(resp.body)
		} else {
			out.WriteByte('\n')
			stdout.Write(out.Bytes())
		}
	}
	return 0
}

func isEmptyObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && len(m) == 0
}

func writeJSON(w io.Writer, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	w.Write(buf.Bytes())
}

// ordered is a JSON object that keeps the model's member order.
type ordered struct {
	keys []string
	vals map[string]any
}

func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// skeleton builds the AWS CLI's placeholder document for a shape: input
// skeletons use empty values (the first enum value for enums), output
// skeletons use member names as string values.
func skeleton(s *awsmodel.Shape, names bool, stack []string) any {
	return skeletonValue(s, names, "", stack)
}

func skeletonValue(s *awsmodel.Shape, names bool, name string, stack []string) any {
	if s == nil {
		return ordered{}
	}
	switch s.Type {
	case "structure":
		count := 0
		for _, n := range stack {
			if n == s.Name {
				count++
			}
		}
		if count > 0 {
			return ordered{}
		}
		stack = append(stack, s.Name)
		o := ordered{vals: map[string]any{}}
		for _, m := range s.Members {
			o.keys = append(o.keys, m.Name)
			o.vals[m.Name] = skeletonValue(m.Shape, names, m.Name, stack)
		}
		return o
	case "list":
		n := ""
		if names && s.Member != nil {
			n = s.Member.Name
		}
		return []any{skeletonValue(s.Member, names, n, stack)}
	case "map":
		return ordered{keys: []string{"KeyName"}, vals: map[string]any{"KeyName": skeletonValue(s.Value, names, "", stack)}}
	case "string":
		if names {
			return name
		}
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		return ""
	case "integer", "long":
		return 0
	case "float", "double":
		return 0.0
	case "boolean":
		return true
	case "timestamp":
		return "1970-01-01T00:00:00"
	case "blob":
		return ""
	}
	return nil
}

type response struct {
	body          []byte
	code, message string
}

// endpointFor resolves the endpoint: --endpoint-url, then the AWS
// environment overrides, then the public Cognito endpoint of the region.
func endpointFor(opts options, region string) string {
	for _, v := range []string{opts.EndpointURL, os.Getenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"), os.Getenv("AWS_ENDPOINT_URL")} {
		if v != "" {
			return v
		}
	}
	return "https://cognito-idp." + region + ".amazonaws.com/"
}

func send(ctx context.Context, target string, signed bool, opts options, body map[string]any) (response, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	var loadOpts []func(*config.LoadOptions) error
	if opts.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(opts.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return response{}, err
	}
	if cfg.Region == "" {
		return response{}, errors.New(`You must specify a region. You can also configure your region by running "aws configure".`)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return response{}, err
	}
	url := endpointFor(opts, cfg.Region)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return response{}, err
	}
	if req.URL.Path == "" {
		req.URL.Path = "/"
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("User-Agent", "cognate-cli")
	if signed && !opts.NoSignRequest {
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil || !creds.HasKeys() {
			return response{}, errors.New(`Unable to locate credentials. You can configure credentials by running "aws configure".`)
		}
		sum := sha256.Sum256(payload)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "cognito-idp", cfg.Region, time.Now()); err != nil {
			return response{}, err
		}
	}
	client := &http.Client{Timeout: 60 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("Could not connect to the endpoint URL: %q", url)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return response{}, err
	}
	if resp.StatusCode/100 == 2 {
		return response{body: raw}, nil
	}
	return parseError(resp.StatusCode, raw), nil
}

// parseError extracts the code and message as botocore does.
func parseError(status int, raw []byte) response {
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
		Upper   string `json:"Message"`
	}
	json.Unmarshal(raw, &e)
	code := e.Type
	if i := strings.Index(code, ":"); i >= 0 {
		code = code[:i]
	}
	if i := strings.LastIndex(code, "#"); i >= 0 {
		code = code[i+1:]
	}
	if code == "" {
		code = fmt.Sprint(status)
	}
	msg := e.Message
	if msg == "" {
		msg = e.Upper
	}
	return response{code: code, message: msg}
}

func firstSentence(doc string) string {
	doc = strings.TrimSpace(doc)
	if i := strings.Index(doc, ". "); i >= 0 {
		return doc[:i+1]
	}
	return doc
}

// writeHelp prints a page shaped like `aws cognito-idp <op> help`.
func writeHelp(w io.Writer, op *awsmodel.Operation) {
	name := Kebab(op.Name)
	fmt.Fprintf(w, "NAME\n       %s -\n\nDESCRIPTION\n%s\n\nSYNOPSIS\n            %s\n", name, indent(op.Doc, "       "), name)
	var members []*awsmodel.Member
	required := map[string]bool{}
	if op.Input != nil {
		members = op.Input.Members
		for _, r := range op.Input.Required {
			required[r] = true
		}
	}
	for _, m := range members {
		flag := "--" + Kebab(m.Name)
		if m.Shape.Type == "boolean" {
			flag += " | --no-" + Kebab(m.Name)
		} else {
			flag += " <value>"
		}
		if required[m.Name] {
			fmt.Fprintf(w, "          %s\n", flag)
		} else {
			fmt.Fprintf(w, "          [%s]\n", flag)
		}
	}
	fmt.Fprintf(w, "          [--cli-input-json <value>]\n          [--generate-cli-skeleton <value>]\n          [--endpoint-url <value>] [--region <value>] [--profile <value>] [--output <value>] [--no-sign-request]\n\nOPTIONS\n")
	for _, m := range members {
		fmt.Fprintf(w, "       --%s (%s)\n%s\n\n", Kebab(m.Name), m.Shape.Type, indent(m.Doc, "          "))
	}
	fmt.Fprintf(w, "       --cli-input-json (string) Performs service operation based on the JSON\n          string provided (inline or file://path). Values given as options\n          override the JSON.\n\n")
	fmt.Fprintf(w, "       --generate-cli-skeleton (string) Prints a JSON skeleton to standard\n          output without sending an API request: \"input\" (the default) or\n          \"output\".\n\n")
	if op.Output != nil && len(op.Output.Members) > 0 {
		fmt.Fprintf(w, "OUTPUT\n")
		names := make([]string, 0, len(op.Output.Members))
		for _, m := range op.Output.Members {
			names = append(names, fmt.Sprintf("       %s -> (%s)", m.Name, m.Shape.Type))
		}
		sort.Strings(names)
		fmt.Fprintln(w, strings.Join(names, "\n"))
	} else {
		fmt.Fprintf(w, "OUTPUT\n       None\n")
	}
}

func indent(s, prefix string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return prefix + "-"
	}
	var out []string
	line := prefix
	for _, word := range strings.Fields(s) {
		if len(line)+len(word)+1 > 78 && line != prefix {
			out = append(out, line)
			line = prefix
		}
		if line != prefix {
			line += " "
		}
		line += word
	}
	return strings.Join(append(out, line), "\n")
}

// OutboxCommand is `cognate outbox`: the messages (with their codes) that
// Cognito would have sent by email or SMS, read from a Cognate server.
func OutboxCommand() *cobra.Command {
	var pool, user, endpoint, region, profile string
	cmd := &cobra.Command{
		Use:   "outbox",
		Short: "List the confirmation and reset codes Cognate would have sent (a Cognate extension)",
		Long: `List the messages of the local outbox: sign-up confirmation, password reset and
attribute verification codes that Cognito would have sent by email or SMS.
The call is SigV4-signed with the admin credentials (standard AWS chain).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if pool == "" {
				fmt.Fprintln(cmd.ErrOrStderr(), "cognate: error: the following arguments are required: --user-pool-id")
				return &ExitError{Code: ExitUsage}
			}
			body := map[string]any{"UserPoolId": pool}
			if user != "" {
				body["Username"] = user
			}
			resp, err := send(cmd.Context(), awsmodel.OutboxTarget, true, options{EndpointURL: endpoint, Region: region, Profile: profile}, body)
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "\n%s\n", err)
				return &ExitError{Code: ExitServiceError}
			}
			if resp.code != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "\nAn error occurred (%s) when calling the ListOutboxMessages operation: %s\n", resp.code, resp.message)
				return &ExitError{Code: ExitServiceError}
			}
			var out bytes.Buffer
			json.Indent(&out, resp.body, "", "    ")
			out.WriteByte('\n')
			cmd.OutOrStdout().Write(out.Bytes())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&pool, "user-pool-id", "", "the pool whose messages to list")
	f.StringVar(&user, "username", "", "only this user's messages")
	f.StringVar(&endpoint, "endpoint-url", "", "the Cognate server")
	f.StringVar(&region, "region", "", "signing region")
	f.StringVar(&profile, "profile", "", "AWS profile")
	return cmd
}
