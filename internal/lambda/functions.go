package lambda

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// ParseFunctions reads --lambda-functions: comma-separated FUNCTION=URL
// pairs, where FUNCTION is a function ARN (any qualifier included, or not)
// or a function name, and URL the endpoint serving it alone; an item
// @FILE reads a JSON object of the same pairs ({"arn:aws:lambda:…": "http://…"}).
// URL is either an emulator's base (http://127.0.0.1:9000: the function is
// sent as "function", the emulator's only name) or a full invocation URL
// (…/2015-03-31/functions/<name>/invocations: <name> is sent).
func ParseFunctions(spec string) (map[string]string, error) {
	functions := map[string]string{}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
		case strings.HasPrefix(item, "@"):
			raw, err := os.ReadFile(item[1:])
			if err != nil {
				return nil, err
			}
			var file map[string]string
			if err := json.Unmarshal(raw, &file); err != nil {
				return nil, fmt.Errorf("%s: a JSON object of function ARN (or name) to endpoint URL: %w", item[1:], err)
			}
			for fn, u := range file {
				if err := add(functions, fn, u); err != nil {
					return nil, fmt.Errorf("%s: %w", item[1:], err)
				}
			}
		default:
			fn, u, ok := strings.Cut(item, "=")
			if !ok {
				return nil, fmt.Errorf("%q: want FUNCTION=URL or @FILE", item)
			}
			if err := add(functions, strings.TrimSpace(fn), strings.TrimSpace(u)); err != nil {
				return nil, err
			}
		}
	}
	return functions, nil
}

func add(functions map[string]string, fn, endpoint string) error {
	if err := checkURL(endpoint); err != nil {
		return fmt.Errorf("%s: %w", fn, err)
	}
	if fn == "" {
		return fmt.Errorf("%q: no function", endpoint)
	}
	functions[fn] = endpoint
	return nil
}

// checkURL accepts an http(s) URL with a host.
func checkURL(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", endpoint)
	}
	return nil
}

// CheckEndpoint checks --lambda-endpoint ("" is AWS Lambda).
func CheckEndpoint(endpoint string) error {
	if endpoint == "" {
		return nil
	}
	return checkURL(endpoint)
}
