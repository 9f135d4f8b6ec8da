// Command peerpress publishes and organises for community-led advocacy
// networks. Run `peerpress help` for the subcommands.
package main

import (
	"os"

	_ "time/tzdata" // event zones work on machines without zoneinfo

	"peerpress/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
