// Command article-pipeline is the Pulumi program for the NP-MRD deposition
// system's AWS infrastructure. Everything it declares is in package program.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/np-mrd/article-pipeline-infra/program"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		_, err := program.Run(ctx)
		return err
	})
}
