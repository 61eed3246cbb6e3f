package rewrite

import (
	"bytes"
	"os"
	"sync"
	"time"
)

// followEvery is how often a follower reads what the go command wrote so far; followDelay is how
// long it waits before the first read: a compile that ends sooner (a warm build cache) is not read
// at all, as the next phase's progress follows at once.
var (
	followEvery = 500 * time.Millisecond
	followDelay = time.Second
)

// follower reads the compiler output that the go command writes to a file while it runs, for the
// progress line: the output of each package begins with a line "# import/path", so the count of
// those lines is the count of packages compiled (or replayed from the build cache) so far.
type follower struct {
	name   string
	report func(n int, last string)
	stopc  chan struct{}
	done   sync.WaitGroup

	n       int
	last    string
	partial []byte // the end of the text read, after its last newline
}

// follow starts following the file name; stop ends it after reporting what the file holds then.
func follow(name string, report func(n int, last string)) *follower {
	f := &follower{name: name, report: report, stopc: make(chan struct{})}
	f.done.Add(1)
	go f.run()
	return f
}

func (f *follower) stop() {
	close(f.stopc)
	f.done.Wait()
}

func (f *follower) run() {
	defer f.done.Done()
	select {
	case <-f.stopc:
		return
	case <-time.After(followDelay):
	}
	file, err := os.Open(f.name)
	if err != nil {
		return
	}
	defer file.Close()
	t := time.NewTicker(followEvery)
	defer t.Stop()
	buf := make([]byte, 1<<20)
	for {
		stopping := false
		select {
		case <-f.stopc:
			stopping = true
		case <-t.C:
		}
		before := f.n
		for {
			k, err := file.Read(buf)
			f.scan(buf[:k])
			if err != nil || k == 0 { // io.EOF: what the go command wrote so far is read
				break
			}
		}
		if f.n != before {
			f.report(f.n, f.last)
		}
		if stopping {
			return
		}
	}
}

// scan counts the header lines of b, which continues the text read before.
func (f *follower) scan(b []byte) {
	text := append(f.partial, b...)
	end := bytes.LastIndexByte(text, '\n')
	if end < 0 {
		f.partial = text
		return
	}
	lines := text[:end+1]
	for len(lines) > 0 {
		i := bytes.IndexByte(lines, '\n')
		if line := lines[:i]; bytes.HasPrefix(line, []byte("# ")) {
			f.n++
			f.last = string(line[2:])
		}
		lines = lines[i+1:]
	}
	f.partial = append([]byte(nil), text[end+1:]...)
}
