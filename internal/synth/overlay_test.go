package synth

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestOverlayMergesLikeAPaste(t *testing.T) {
	t.Parallel()
	st := &Stack{Project: "article-pipeline", Name: "prod", Config: map[string]string{
		"article-pipeline:network": `{"cidr":"10.0.0.0/16","namePrefix":"np-deposition"}`,
		"article-pipeline:policy":  `{"waivers":[{"rule":"S3.8"}]}`,
		"article-pipeline:protect": "true",
	}}
	path := filepath.Join(t.TempDir(), "overlay.yaml")
	err := os.WriteFile(path, []byte(`config:
  article-pipeline:network:
    lockDefaultSecurityGroup: false
  policy:
    waivers:
      - rule: EC2.2
  article-pipeline:protect: false
  article-pipeline:databaseMasterPassword:
    secure: v1:abc
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Overlay(path); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"article-pipeline:network":                `{"cidr":"10.0.0.0/16","lockDefaultSecurityGroup":false,"namePrefix":"np-deposition"}`,
		"article-pipeline:policy":                 `{"waivers":[{"rule":"S3.8"},{"rule":"EC2.2"}]}`,
		"article-pipeline:protect":                "false",
		"article-pipeline:databaseMasterPassword": "[secret]",
	}
	for k, v := range want {
		if st.Config[k] != v {
			t.Errorf("%s = %s, want %s", k, st.Config[k], v)
		}
	}
	if !slices.Equal(st.SecretKeys, []string{"article-pipeline:databaseMasterPassword"}) {
		t.Errorf("secret keys %v", st.SecretKeys)
	}
}
