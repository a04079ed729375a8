package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/cognate/cognate/internal/awsmodel"
)

// Kebab turns a model name into its flag or command form exactly as
// botocore's xform_name does (UserPoolId → user-pool-id, CallbackURLs →
// callback-urls), so that every flag matches the AWS CLI's.
func Kebab(name string) string {
	if m := pluralAcronym.FindString(name); m != "" {
		name = name[:len(name)-len(m)] + "-" + strings.ToLower(m)
	}
	name = firstCap.ReplaceAllString(name, "${1}-${2}")
	return strings.ToLower(endCap.ReplaceAllString(name, "${1}-${2}"))
}

var (
	pluralAcronym = regexp.MustCompile(`[A-Z]{2,}s$`)
	firstCap      = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	endCap        = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

// UsageError is an argument problem: exit code 2, like argparse.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// options are the global options every operation command accepts.
type options struct {
	EndpointURL   string
	Region        string
	Profile       string
	Output        string
	CLIInputJSON  string
	Skeleton      string // "", "input" or "output"
	SkeletonSet   bool
	NoSignRequest bool
	Debug         bool
	Help          bool
}

// globalValueFlags take a value; globalBoolFlags do not.
var globalValueFlags = map[string]bool{"--endpoint-url": true, "--region": true, "--profile": true,
	"--output": true, "--cli-input-json": true, "--query": true, "--color": true, "--ca-bundle": true,
	"--cli-read-timeout": true, "--cli-connect-timeout": true}
var globalBoolFlags = map[string]bool{"--no-sign-request": true, "--debug": true, "--no-verify-ssl": true,
	"--no-paginate": true, "--v2-debug": true, "--no-cli-pager": true}

// parseArgs reads argv into global options and the input members given as
// flags, in model form (values decoded to JSON types).
func parseArgs(op *awsmodel.Operation, argv []string) (options, map[string]any, error) {
	var opts options
	params := map[string]any{}
	flags := map[string]*awsmodel.Member{}
	if op.Input != nil {
		for _, m := range op.Input.Members {
			flags["--"+Kebab(m.Name)] = m
		}
	}
	var unknown []string
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		name, inline, hasInline := strings.Cut(arg, "=")
		if !strings.HasPrefix(arg, "--") {
			unknown = append(unknown, arg)
			continue
		}
		// values: everything up to the next --flag
		values := func() []string {
			if hasInline {
				return []string{inline}
			}
			var vs []string
			for i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "--") {
				i++
				vs = append(vs, argv[i])
			}
			return vs
		}
		one := func() (string, error) {
			vs := values()
			if len(vs) != 1 {
				return "", &UsageError{Msg: fmt.Sprintf("argument %s: expected one argument", name)}
			}
			return vs[0], nil
		}
		switch {
		case name == "--help" || name == "help":
			opts.Help = true
		case name == "--generate-cli-skeleton":
			opts.SkeletonSet = true
			opts.Skeleton = "input"
			if hasInline {
				opts.Skeleton = inline
			} else if i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "--") {
				i++
				opts.Skeleton = argv[i]
			}
			if opts.Skeleton != "input" && opts.Skeleton != "output" {
				return opts, nil, &UsageError{Msg: "argument --generate-cli-skeleton: Invalid choice, valid choices are:\n\ninput                                    | output"}
			}
		case globalValueFlags[name]:
			v, err := one()
			if err != nil {
				return opts, nil, err
			}
			switch name {
			case "--endpoint-url":
				opts.EndpointURL = v
			case "--region":
				opts.Region = v
			case "--profile":
				opts.Profile = v
			case "--output":
				opts.Output = v
			case "--cli-input-json":
				opts.CLIInputJSON = v
			}
		case globalBoolFlags[name]:
			switch name {
			case "--no-sign-request":
				opts.NoSignRequest = true
			case "--debug":
				opts.Debug = true
			}
		default:
			m, ok := flags[name]
			negated := false
			if !ok && strings.HasPrefix(name, "--no-") {
				if bm, found := flags["--"+strings.TrimPrefix(name, "--no-")]; found && bm.Shape.Type == "boolean" {
					m, ok, negated = bm, true, true
				}
			}
			if !ok {
				unknown = append(unknown, arg)
				for i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "--") {
					i++
					unknown = append(unknown, argv[i])
				}
				continue
			}
			if m.Shape.Type == "boolean" {
				params[m.Name] = !negated
				continue
			}
			vs := values()
			if len(vs) == 0 {
				return opts, nil, &UsageError{Msg: fmt.Sprintf("argument %s: expected one argument", name)}
			}
			v, err := convert(m.Shape, vs)
			if err != nil {
				return opts, nil, fmt.Errorf("Error parsing parameter '%s': %v", strings.TrimPrefix(name, "--"), err)
			}
			params[m.Name] = v
		}
	}
	if len(unknown) > 0 {
		return opts, nil, &unknownOptionsError{strings.Join(unknown, ", ")}
	}
	return opts, params, nil
}

type unknownOptionsError struct{ list string }

func (e *unknownOptionsError) Error() string { return "Unknown options: " + e.list }

// convert turns command-line words into a value of the shape: JSON when it
// looks like JSON, the AWS shorthand (Name=x,Value=y) for structures, and
// space-separated words for lists.
func convert(s *awsmodel.Shape, words []string) (any, error) {
	switch s.Type {
	case "string", "timestamp", "blob":
		if len(words) != 1 {
			return nil, fmt.Errorf("expected one value, got %d", len(words))
		}
		if s.Type == "timestamp" {
			if f, err := strconv.ParseFloat(words[0], 64); err == nil {
				return f, nil
			}
		}
		return readFileArg(words[0])
	case "integer", "long":
		n, err := strconv.ParseInt(words[0], 10, 64)
		if err != nil || len(words) != 1 {
			return nil, fmt.Errorf("invalid literal for int() with base 10: '%s'", strings.Join(words, " "))
		}
		return n, nil
	case "float", "double":
		f, err := strconv.ParseFloat(words[0], 64)
		if err != nil || len(words) != 1 {
			return nil, fmt.Errorf("could not convert string to float: '%s'", strings.Join(words, " "))
		}
		return f, nil
	case "list":
		if len(words) == 1 && strings.HasPrefix(strings.TrimSpace(words[0]), "[") {
			return decodeJSON(words[0])
		}
		var out []any
		for _, w := range words {
			if s.Member.Type == "structure" || s.Member.Type == "map" {
				v, err := convert(s.Member, []string{w})
				if err != nil {
					return nil, err
				}
				out = append(out, v)
				continue
			}
			if s.Member.Type == "string" {
				for _, part := range splitList(w) {
					out = append(out, part)
				}
				continue
			}
			v, err := convert(s.Member, []string{w})
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case "structure", "map":
		joined := strings.Join(words, " ")
		if strings.HasPrefix(strings.TrimSpace(joined), "{") {
			return decodeJSON(joined)
		}
		return shorthand(joined)
	}
	return nil, fmt.Errorf("unsupported type %s", s.Type)
}

func splitList(w string) []string {
	if strings.Contains(w, ",") && !strings.Contains(w, "=") {
		return strings.Split(w, ",")
	}
	return []string{w}
}

func decodeJSON(s string) (any, error) {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("Invalid JSON: %v\nJSON received: %s", err, s)
	}
	return v, nil
}

// shorthand parses k=v,k2=v2 into an object.
func shorthand(s string) (map[string]any, error) {
	out := map[string]any{}
	for _, pair := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("Expected: '=', received: '%s' for input: %s", pair, s)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

// readFileArg honours file:// (text) for string values, as the AWS CLI does.
func readFileArg(v string) (string, error) {
	if p, ok := strings.CutPrefix(v, "file://"); ok {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("Unable to load paramfile %s: %v", v, err)
		}
		return string(b), nil
	}
	return v, nil
}
