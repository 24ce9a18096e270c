package bastion

import (
	"regexp"

	"github.com/np-mrd/article-pipeline-infra/internal/check"
)

// Settings is what a stack file says about the tunnel host
// (article-pipeline:bastion).
type Settings struct {
	Enabled bool `json:"enabled"`
	// InstanceType is an EC2 type; a Graviton type (t4g.nano) gets the arm64 AMI.
	InstanceType string `json:"instanceType"`
	// LocalPort is the port the printed port-forward command opens locally.
	LocalPort int `json:"localPort"`
}

// Defaults is off; when on, a t3.nano forwarding local port 5432.
func Defaults() Settings {
	return Settings{InstanceType: "t3.nano", LocalPort: 5432}
}

var instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)

// Validate (for an enabled bastion) checks the instance type's shape and the local port.
func (s Settings) Validate(k string) error {
	var p check.Problems
	if !instanceTypePattern.MatchString(s.InstanceType) {
		p.Add(k+".instanceType", "%q is not an EC2 instance type; expected FAMILY.SIZE such as t3.nano or t4g.nano",
			s.InstanceType)
	}
	if s.LocalPort < 1024 || s.LocalPort > 65535 {
		p.Add(k+".localPort", "%d is out of range; expected 1024..65535 (a local port that needs no root)",
			s.LocalPort)
	}
	return p.Err()
}
