// Package cli is the `cognate <operation>` command line: one command per
// operation of the Cognito model, mirroring `aws cognito-idp`. Flags come
// from the operation's input members (UserPoolId → --user-pool-id), values
// may also come from --cli-input-json, --generate-cli-skeleton prints input
// or output skeletons without sending anything, and errors print the AWS
// CLI's text with its exit codes. Requests are signed with the standard AWS
// credential chain, so the same command works against Cognate or AWS.
package cli
