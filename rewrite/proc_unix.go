//go:build unix

package rewrite

import (
	"os/exec"
	"syscall"
)

// killGroupOnCancel makes cmd the leader of a new process group and kills the whole group when its
// context ends: the go command's children (compiler, test binaries) die with it.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
