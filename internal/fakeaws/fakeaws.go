// Package fakeaws answers adopt-check's collect reads from a directory of
// recorded responses the way the AWS CLI answers them, so collect can run end
// to end in tests without AWS: a recorded Absent becomes the CLI's error
// message with that code and a failing exit, a bucket that was never versioned
// an empty answer, and get-parameter of DATABASE_URL an answer holding a whole
// URL, password included, built from the value given.
package fakeaws

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/np-mrd/article-pipeline-infra/adoptcheck"
	"github.com/np-mrd/article-pipeline-infra/adoptcheck/collect"
)

// CLI serves the reads it was built with.
type CLI struct {
	dir         string
	files       map[string]string
	databaseURL string

	mu  sync.Mutex
	ran []string
}

// New answers each of reads from its file in dir; DATABASE_URL's value is
// databaseURL.
func New(dir string, reads []collect.Read, databaseURL string) *CLI {
	files := map[string]string{}
	for _, r := range reads {
		files[r.Command()] = r.File
	}
	return &CLI{dir: dir, files: files, databaseURL: databaseURL}
}

// Ran lists the commands run, in order.
func (c *CLI) Ran() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ran...)
}

// errExit is the CLI's failing exit.
var errExit = errors.New("exit status 254")

// Run implements collect.Runner.
func (c *CLI) Run(_ context.Context, args []string) ([]byte, []byte, error) {
	cmd := collect.Read{Args: args}.Command()
	c.mu.Lock()
	c.ran = append(c.ran, cmd)
	c.mu.Unlock()
	file, ok := c.files[cmd]
	if !ok {
		return nil, []byte("fakeaws: no recorded answer for " + cmd), errExit
	}
	if file == adoptcheck.FileDatabaseURL {
		b, err := json.Marshal(map[string]any{"Parameter": map[string]any{"Name": "DATABASE_URL", "Type": "SecureString",
			"Value": c.databaseURL, "Version": 3}})
		return b, nil, err
	}
	b, err := os.ReadFile(filepath.Join(c.dir, filepath.FromSlash(file)))
	if err != nil {
		return nil, []byte(err.Error()), errExit
	}
	var absent adoptcheck.Absent
	if json.Unmarshal(b, &absent) == nil && absent.Absent != "" {
		return nil, fmt.Appendf(nil, "\nAn error occurred (%s) when calling the operation: not found\n", absent.Absent), errExit
	}
	if bytes.Equal(bytes.TrimSpace(b), []byte("{}")) {
		return nil, nil, nil
	}
	return b, nil, nil
}
