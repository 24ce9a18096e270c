package adoptcheck

import (
	"path"
	"slices"

	"github.com/np-mrd/article-pipeline-infra/inventory"
)

// Targets is what a stack adopts, read from its declared graph: the IDs the
// collect step reads from AWS.
type Targets struct {
	Region      string
	Instance    string
	SubnetGroup string
	VPC         string
	Gateway     string
	Buckets     []string
	BackupPlan  string
	BackupVault string
	// ParameterPath is the directory of the declared parameters
	// (/copilot/article-pipeline/prod/secrets/).
	ParameterPath string
	// Parameters are the adopted parameters' names.
	Parameters []string
	// DatabaseURL is the name of the declared DATABASE_URL parameter.
	DatabaseURL string
}

// Empty reports whether the stack adopts nothing.
func (t Targets) Empty() bool {
	return t.Instance == "" && t.SubnetGroup == "" && t.VPC == "" && len(t.Buckets) == 0 && t.BackupPlan == "" &&
		t.BackupVault == "" && len(t.Parameters) == 0
}

// TargetsOf reads the adopted IDs from the resources that carry an import ID.
func TargetsOf(inv *inventory.Inventory) Targets {
	var t Targets
	if p, ok := inv.Find("pulumi:providers:aws", "aws"); ok {
		t.Region = p.String("region")
	}
	for _, r := range inv.Resources {
		switch r.Type {
		case typeParameter:
			name := r.String("name")
			t.ParameterPath = path.Dir(name) + "/"
			if path.Base(name) == "DATABASE_URL" {
				t.DatabaseURL = name
			}
			if r.ImportID != "" {
				t.Parameters = append(t.Parameters, r.ImportID)
			}
		}
		if r.ImportID == "" {
			continue
		}
		switch r.Type {
		case typeInstance:
			t.Instance = r.ImportID
		case typeSubnetGroup:
			t.SubnetGroup = r.ImportID
		case typeVPC:
			t.VPC = r.ImportID
		case typeIGW:
			t.Gateway = r.ImportID
		case typeBucket:
			t.Buckets = append(t.Buckets, r.ImportID)
		case typePlan:
			t.BackupPlan = r.ImportID
		case typeVault:
			t.BackupVault = r.ImportID
		}
	}
	slices.Sort(t.Buckets)
	slices.Sort(t.Parameters)
	return t
}
