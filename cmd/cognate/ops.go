package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/cognate/cognate/internal/awsmodel"
	"github.com/cognate/cognate/internal/bench"
	"github.com/cognate/cognate/internal/cli"
)

func addOperationCommands(root *cobra.Command) {
	root.AddCommand(cli.Commands(awsmodel.Default())...)
	root.AddCommand(cli.OutboxCommand())
	root.AddCommand(bench.Command())
}

func exitCode(err error) (int, bool) {
	var e *cli.ExitError
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}
