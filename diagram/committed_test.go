package diagram

import (
	"testing"

	"github.com/np-mrd/article-pipeline-infra/internal/synth"
)

// TestCommittedStacksAreWellFormed draws every committed stack (the README
// embeds them): every arrow ends at a declared node.
func TestCommittedStacksAreWellFormed(t *testing.T) {
	t.Parallel()
	for _, stack := range synth.Stacks("..") {
		res, err := synth.Synthesize("..", stack)
		if err != nil {
			t.Fatalf("%s: %v", stack, err)
		}
		t.Run(stack, func(t *testing.T) { wellFormed(t, Mermaid(res.Inventory)) })
	}
}
