//go:build unix

package rewrite

import (
	"os"
	"os/exec"
	"syscall"
	"time"
)

// killGroupOnCancel makes cmd the leader of a new process group and interrupts the whole group
// when its context ends, so the go command's children (compiler, test binaries) stop with it and the
// go command removes its own temporary directories; what still runs after a grace period is killed.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }
	cmd.WaitDelay = 5 * time.Second
}

// dumpAndStop asks a hung test binary for its goroutine dump and exit, as go test does on a timeout.
func dumpAndStop(p *os.Process) { p.Signal(syscall.SIGQUIT) }
