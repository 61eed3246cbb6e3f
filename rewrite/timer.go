package rewrite

import (
	"fmt"
	"time"
)

// timer measures one step for the -v log: its wall time and the CPU time that gcfix itself and the
// processes it waited for (the go command, the compiler) spent in it.
type timer struct {
	start      time.Time
	self, kids time.Duration
}

func startTimer() timer {
	self, kids := cpuTimes()
	return timer{start: time.Now(), self: self, kids: kids}
}

// String is "12.3s (CPU: gcfix 1.2s, go 20.1s)"; the CPU part is left out where the system does not
// report it.
func (t timer) String() string {
	wall := time.Since(t.start).Seconds()
	self, kids := cpuTimes()
	if self == 0 && kids == 0 {
		return fmt.Sprintf("%.1fs", wall)
	}
	return fmt.Sprintf("%.1fs (CPU: gcfix %.1fs, go %.1fs)", wall, (self - t.self).Seconds(), (kids - t.kids).Seconds())
}

// since returns the wall time since the timer started and the CPU time that gcfix and the processes
// it waited for spent meanwhile (0 where the system does not report it).
func (t timer) since() (wall, cpu time.Duration) {
	self, kids := cpuTimes()
	return time.Since(t.start), self - t.self + kids - t.kids
}
