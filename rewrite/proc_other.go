//go:build !unix

package rewrite

import "os/exec"

func killGroupOnCancel(cmd *exec.Cmd) {}
