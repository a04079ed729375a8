// Command gen derives internal/awsmodel/model.json from the botocore model
// of Cognito user pools: shapes, constraints, auth classes and short docs,
// without the long HTML documentation.
//
//	go generate ./internal/awsmodel
package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

type source struct {
	Metadata   map[string]any            `json:"metadata"`
	Operations map[string]sourceOp       `json:"operations"`
	Shapes     map[string]map[string]any `json:"shapes"`
}

type sourceOp struct {
	Input         *struct{ Shape string }  `json:"input"`
	Output        *struct{ Shape string }  `json:"output"`
	Errors        []struct{ Shape string } `json:"errors"`
	Authtype      string                   `json:"authtype"`
	Auth          []string                 `json:"auth"`
	Documentation string                   `json:"documentation"`
}

func main() {
	modelPath := flag.String("model", "", "path to service-2.json(.gz); default: the botocore on this machine")
	out := flag.String("out", "model.json", "output file")
	flag.Parse()
	if *modelPath == "" {
		dir, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
		if err != nil {
			log.Fatalf("locate botocore: %v", err)
		}
		*modelPath = filepath.Join(strings.TrimSpace(string(dir)), "data/cognito-idp/2016-04-18/service-2.json.gz")
	}
	f, err := os.Open(*modelPath)
	if err != nil {
		log.Fatal(err)
	}
	var r io.Reader = f
	if strings.HasSuffix(*modelPath, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			log.Fatal(err)
		}
	}
	var src source
	if err := json.NewDecoder(r).Decode(&src); err != nil {
		log.Fatal(err)
	}
	m := map[string]any{
		"metadata": map[string]any{"targetPrefix": src.Metadata["targetPrefix"], "jsonVersion": src.Metadata["jsonVersion"],
			"apiVersion": src.Metadata["apiVersion"]},
	}
	ops := map[string]any{}
	for name, op := range src.Operations {
		o := map[string]any{"signed": !(op.Authtype == "none" || slices.Contains(op.Auth, "smithy.api#noAuth")),
			"doc": shortDoc(op.Documentation, 600)}
		if op.Input != nil {
			o["input"] = op.Input.Shape
		}
		if op.Output != nil {
			o["output"] = op.Output.Shape
		}
		var errs []string
		for _, e := range op.Errors {
			errs = append(errs, e.Shape)
		}
		o["errors"] = errs
		ops[name] = o
	}
	m["operations"] = ops
	shapes := map[string]any{}
	for name, sh := range src.Shapes {
		s := map[string]any{"type": sh["type"]}
		for _, k := range []string{"min", "max", "pattern", "enum", "sensitive", "required"} {
			if v, ok := sh[k]; ok {
				s[k] = v
			}
		}
		if e, ok := sh["exception"]; ok && e == true {
			s["exception"] = true
		}
		if d, ok := sh["document"]; ok && d == true {
			s["document"] = true // any JSON value (CredentialCreationOptions, …)
		}
		for _, k := range []string{"member", "key", "value"} {
			if ref, ok := sh[k].(map[string]any); ok {
				s[k] = ref["shape"]
			}
		}
		if members, ok := sh["members"].(map[string]any); ok {
			// The model's member order matters (skeletons, messages): keep it.
			var list []map[string]any
			for _, mn := range orderedKeys(name, "members") {
				mm := members[mn].(map[string]any)
				doc, _ := mm["documentation"].(string)
				list = append(list, map[string]any{"name": mn, "shape": mm["shape"], "doc": shortDoc(doc, 300)})
			}
			s["members"] = list
		}
		shapes[name] = s
	}
	m["shapes"] = shapes
	data, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(data, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: %d operations, %d shapes\n", *out, len(ops), len(shapes))
}

var memberOrder map[string][]string

// orderedKeys returns the member names of a shape in model order; Go maps
// lose it, so the order is read once with python's ordered json.
func orderedKeys(shape, field string) []string {
	if memberOrder == nil {
		memberOrder = map[string][]string{}
		script := `import botocore,os,gzip,json
p=os.path.join(os.path.dirname(botocore.__file__),'data/cognito-idp/2016-04-18/service-2.json.gz')
m=json.load(gzip.open(p))
print(json.dumps({k:list(v.get('members',{}).keys()) for k,v in m['shapes'].items()}))`
		out, err := exec.Command("python3", "-c", script).Output()
		if err != nil {
			log.Fatalf("member order: %v", err)
		}
		if err := json.Unmarshal(out, &memberOrder); err != nil {
			log.Fatal(err)
		}
	}
	return memberOrder[shape]
}

var tags = regexp.MustCompile(`<[^>]+>`)
var spaces = regexp.MustCompile(`\s+`)

// shortDoc strips HTML and keeps the first paragraph, at most n bytes.
func shortDoc(doc string, n int) string {
	if i := strings.Index(doc, "</p>"); i >= 0 {
		doc = doc[:i]
	}
	doc = strings.TrimSpace(spaces.ReplaceAllString(html.UnescapeString(tags.ReplaceAllString(doc, "")), " "))
	if len(doc) > n {
		cut := strings.LastIndex(doc[:n], ". ")
		if cut < n/3 {
			cut = strings.LastIndex(doc[:n], " ")
		}
		if cut > 0 {
			doc = doc[:cut+1]
		}
	}
	return doc
}
