package collect

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/np-mrd/article-pipeline-infra/adoptcheck"
)

// recordDatabaseURL turns get-parameter's answer into the recorded parts of
// the URL. The answer (which holds the password) is overwritten once read.
func recordDatabaseURL(name string, answer []byte) ([]byte, error) {
	defer clear(answer)
	var resp struct {
		Parameter struct {
			Value *string `json:"Value"`
		} `json:"Parameter"`
	}
	if err := json.Unmarshal(answer, &resp); err != nil {
		return nil, fmt.Errorf("the answer does not decode (not shown): %v", shapeOnly(err))
	}
	if resp.Parameter.Value == nil {
		return nil, errNoValue
	}
	return json.MarshalIndent(ParseDatabaseURL(name, *resp.Parameter.Value), "", "  ")
}

// shapeOnly keeps a JSON error's kind without any quoted input.
func shapeOnly(err error) string {
	if _, ok := err.(*json.SyntaxError); ok {
		return "syntax error"
	}
	return "unexpected shape"
}

var escape = regexp.MustCompile(`%[0-9A-Fa-f]{2}`)

// ParseDatabaseURL reads postgresql://USER:PASSWORD@HOST:PORT/DB?QUERY into its
// parts, password left out. It does not use net/url on the whole value: the
// runbook wrote the URL by hand, and a password with an unescaped '#' or '?'
// would make net/url cut the URL there. RDS master passwords cannot contain
// '@' or '/', so the last '@' ends the user part.
func ParseDatabaseURL(name, value string) adoptcheck.DatabaseURL {
	u := adoptcheck.DatabaseURL{Parameter: name}
	scheme, rest, ok := strings.Cut(strings.TrimSpace(value), "://")
	if !ok {
		u.ParseError = "no scheme"
		return u
	}
	u.Scheme = scheme
	if scheme != "postgresql" && scheme != "postgres" {
		u.ParseError = fmt.Sprintf("scheme %q is not postgresql", scheme)
		return u
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		u.ParseError = "no user"
		return u
	}
	userinfo, hostpart := rest[:at], rest[at+1:]
	user, password, hasPassword := strings.Cut(userinfo, ":")
	u.User = unescape(user)
	u.PasswordSet = hasPassword && password != ""
	u.PasswordEscaped = escape.MatchString(password)
	hostport, pathq, _ := strings.Cut(hostpart, "/")
	db, query, _ := strings.Cut(pathq, "?")
	u.Database, u.Query = unescape(db), query
	if host, port, err := net.SplitHostPort(hostport); err == nil {
		u.Host, u.Port = host, port
	} else {
		u.Host = strings.Trim(hostport, "[]")
	}
	if u.Host == "" {
		u.ParseError = "no host"
	}
	return u
}

func unescape(s string) string {
	if v, err := url.PathUnescape(s); err == nil {
		return v
	}
	return s
}
