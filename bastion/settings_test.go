package bastion

import (
	"strings"
	"testing"
)

func TestSettings(t *testing.T) {
	t.Parallel()
	if d := Defaults(); d != (Settings{InstanceType: "t3.nano", LocalPort: 5432}) {
		t.Errorf("Defaults() = %+v; want off, t3.nano, local port 5432", d)
	}
	const k = "article-pipeline:bastion"
	cases := []struct {
		name    string
		edit    func(s *Settings)
		wantErr string
	}{
		{"on", func(s *Settings) {}, ""},
		{"graviton, other port", func(s *Settings) { s.InstanceType, s.LocalPort = "t4g.nano", 15432 }, ""},
		{"instance type", func(s *Settings) { s.InstanceType = "db.t3.small.x" },
			k + `.instanceType: "db.t3.small.x" is not an EC2 instance type; expected FAMILY.SIZE`},
		{"privileged port", func(s *Settings) { s.LocalPort = 22 },
			k + ".localPort: 22 is out of range; expected 1024..65535"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := Defaults()
			s.Enabled = true
			tc.edit(&s)
			err := s.Validate(k)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)):
				t.Errorf("error %v\nwant prefix %q", err, tc.wantErr)
			}
		})
	}
}
