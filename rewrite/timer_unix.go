//go:build unix

package rewrite

import (
	"syscall"
	"time"
)

// cpuTimes returns the user+system CPU time of this process and of its waited-for children.
func cpuTimes() (self, kids time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		kids = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return self, kids
}
