package userpool

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// The rules of a user import file, from Cognito's guide
// https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool-csv-header.html:
// the first row is the header (GetCSVHeader's columns, in any order, every
// one present); each further row is a user, whose values may be empty.
// Values are not quoted: Cognate splits a row at every comma and takes
// the values as they are (a value cannot hold a comma; a quote is part of
// the value), and a row with another number of values than the header
// fails. Blank lines are skipped.

// importFile is a parsed file: the header and the data rows.
type importFile struct {
	columns []string
	rows    [][]string
}

// parseImportFile checks the header against the pool's and splits the
// rows; a bad header fails the whole job.
func parseImportFile(pool *Pool, file []byte, header []string) (importFile, error) {
	file = bytes.TrimPrefix(file, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark, as spreadsheets write
	var lines [][]string
	for _, line := range strings.Split(string(file), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		lines = append(lines, strings.Split(line, ","))
	}
	if len(lines) == 0 {
		return importFile{}, fmt.Errorf("The file has no header row.")
	}
	f := importFile{columns: lines[0], rows: lines[1:]}
	seen := map[string]bool{}
	for _, c := range f.columns {
		if !slices.Contains(header, c) {
			return f, fmt.Errorf("Unknown column %s in the header.", c)
		}
		if seen[c] {
			return f, fmt.Errorf("Column %s appears twice in the header.", c)
		}
		seen[c] = true
	}
	for _, c := range header {
		if !seen[c] {
			return f, fmt.Errorf("The header lacks the column %s.", c)
		}
	}
	return f, nil
}

// importUser is one row turned into what newUser takes, or the reason the
// row fails.
func importUser(pool *Pool, columns, row []string) (username string, attrs []Attribute, err error) {
	if len(row) != len(columns) {
		return "", nil, fmt.Errorf("the row has %d values for %d columns", len(row), len(columns))
	}
	values := map[string]string{}
	for i, c := range columns {
		values[c] = row[i]
	}
	username = values["cognito:username"]
	if username == "" {
		return "", nil, fmt.Errorf("cognito:username is empty")
	}
	switch values["cognito:mfa_enabled"] {
	case "", "false":
	case "true":
		// Cognito's cognito:mfa_enabled turns on SMS MFA, which needs a
		// phone number; Cognate sends no SMS, so rather than import a user
		// without the MFA the file asks for, the row fails.
		return "", nil, fmt.Errorf("cognito:mfa_enabled true needs SMS MFA, which Cognate does not send")
	default:
		return "", nil, fmt.Errorf("cognito:mfa_enabled must be true or false")
	}
	for _, c := range columns {
		if v := values[c]; v != "" && !strings.HasPrefix(c, "cognito:") {
			attrs = append(attrs, Attribute{Name: c, Value: v})
		}
	}
	// At least one of the pool's auto-verified attributes is verified (with
	// one auto-verified attribute, that one, for every user), and a
	// verified attribute has a value.
	verified := false
	for _, a := range pool.Settings.AutoVerifiedAttributes {
		if values[a+"_verified"] == "true" {
			verified = true
		}
	}
	if !verified {
		return "", nil, fmt.Errorf("none of %s is verified", strings.Join(pool.Settings.AutoVerifiedAttributes, ", "))
	}
	for _, a := range []string{"email", "phone_number"} {
		if values[a+"_verified"] == "true" && values[a] == "" {
			return "", nil, fmt.Errorf("%s_verified is true but %s is empty", a, a)
		}
	}
	if missing := missingRequiredAttributes(pool, attrs); missing != nil {
		return "", nil, fmt.Errorf("the required attribute %s is empty", missing[0])
	}
	if err := checkAttributes(pool, attrs, true); err != nil {
		return "", nil, err
	}
	return username, attrs, nil
}
