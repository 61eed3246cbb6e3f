//go:build !unix

package rewrite

import (
	"os"
	"os/exec"
)

func killGroupOnCancel(cmd *exec.Cmd) {}

// dumpAndStop stops a hung test binary; without SIGQUIT there is no goroutine dump to ask for.
func dumpAndStop(p *os.Process) { p.Kill() }
