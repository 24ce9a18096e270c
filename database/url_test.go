package database

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

// checkRoundTrip parses a built URL back with net/url and insists on every part.
func checkRoundTrip(t *testing.T, user, password, host string, port int, db string) {
	t.Helper()
	s := URL(user, password, host, port, db)
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("URL(%q, %q, ...) = %q does not parse: %v", user, password, s, err)
	}
	gotPassword, hasPassword := u.User.Password()
	if u.Scheme != "postgresql" || u.User.Username() != user || !hasPassword || gotPassword != password ||
		u.Hostname() != host || u.Port() != "5432" || strings.TrimPrefix(u.Path, "/") != db ||
		u.RawQuery != "" || u.Fragment != "" {
		t.Fatalf("URL(%q, %q, %q, %d, %q) = %q parses to scheme %q user %q password %q host %q port %q path %q "+
			"query %q fragment %q", user, password, host, port, db, s, u.Scheme, u.User.Username(), gotPassword,
			u.Hostname(), u.Port(), u.Path, u.RawQuery, u.Fragment)
	}
}

const testHost = "article-pipeline-prod.cabc123def45.us-west-2.rds.amazonaws.com"

func TestURLIsTheRunbookFormat(t *testing.T) {
	t.Parallel()
	got := URL("article_pipeline", "s3cret", testHost, 5432, "article_pipeline")
	want := "postgresql://article_pipeline:s3cret@" + testHost + ":5432/article_pipeline"
	if got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
}

func TestPasswordAlphabetIsWhatRDSAccepts(t *testing.T) {
	t.Parallel()
	for _, r := range passwordAlphabet {
		if r < 0x21 || r > 0x7e || strings.ContainsRune(`/@"`, r) {
			t.Errorf("password alphabet has %q, which RDS rejects in a master password", r)
		}
	}
	if len(passwordAlphabet) != 26+26+10+len(passwordSpecial) {
		t.Errorf("alphabet has %d characters, want letters, digits and %q", len(passwordAlphabet), passwordSpecial)
	}
}

// Every character the generator can produce, alone, between others, repeated and
// at both ends, round-trips exactly.
func TestURLRoundTripsEveryPasswordCharacter(t *testing.T) {
	t.Parallel()
	for _, r := range passwordAlphabet {
		c := string(r)
		for _, pw := range []string{c, "a" + c + "b", c + c + c, c + "Xy9" + c, strings.Repeat(c, passwordLength)} {
			checkRoundTrip(t, "article_pipeline", pw, testHost, 5432, "article_pipeline")
			checkRoundTrip(t, "postgres", pw, "localhost", 5432, "db")
		}
	}
	// Every pair, so escapes next to each other (e.g. "%2" followed by "5") cannot collide.
	for _, a := range passwordAlphabet {
		for _, b := range passwordSpecial {
			checkRoundTrip(t, "u", string(a)+string(b), testHost, 5432, "d")
		}
	}
}

// Random full-length passwords from the alphabet, with a fixed seed so a failure
// reproduces.
func TestURLRoundTripsRandomPasswords(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		b := make([]byte, passwordLength)
		for i := range b {
			b[i] = passwordAlphabet[rng.IntN(len(passwordAlphabet))]
		}
		checkRoundTrip(t, "article_pipeline", string(b), testHost, 5432, "article_pipeline")
	}
}

// FuzzURL explores more passwords over the generator's alphabet:
// go test ./database -fuzz FuzzURL.
func FuzzURL(f *testing.F) {
	f.Add(passwordSpecial)
	f.Add("%25%3A")
	f.Add("::??##")
	f.Fuzz(func(t *testing.T, pw string) {
		if pw == "" || strings.Trim(pw, passwordAlphabet) != "" {
			t.Skip("not a password the generator can produce")
		}
		checkRoundTrip(t, "article_pipeline", pw, testHost, 5432, "article_pipeline")
	})
}
