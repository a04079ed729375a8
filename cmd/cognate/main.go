// Command cognate is a self-hosted, Cognito-compatible user-pool server and
// a command line that mirrors `aws cognito-idp`.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := &cobra.Command{
		Use:           "cognate",
		Short:         "A self-hosted, Cognito-compatible user-pool server",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCommand())
	addOperationCommands(root)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		if code, ok := exitCode(err); ok {
			return code
		}
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}
