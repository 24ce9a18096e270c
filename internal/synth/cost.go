package synth

import (
	"github.com/np-mrd/article-pipeline-infra/cost"
)

// Estimate prices a synthesized stack under its own usage assumptions
// (article-pipeline:cost, read by the config loader like every other key).
func Estimate(res *Result) (cost.Report, error) {
	s, err := res.Stack.Settings()
	if err != nil {
		return cost.Report{}, err
	}
	return cost.Estimate(res.Inventory, s.Cost)
}
