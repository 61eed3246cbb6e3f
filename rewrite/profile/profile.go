// Package profile reads a pprof profile (CPU or allocations) into what gcfix asks of it: how hot
// each function and each source line is. -profile orders candidates by it, and rules that choose
// between places to rewrite read it through the rule API.
package profile

import (
	"fmt"
	"os"
	"path"
	"strings"

	pprof "github.com/google/pprof/profile"
)

// A Profile is a pprof profile (CPU or allocations) reduced to what gcfix asks of it: each
// function's flat and cumulative share of the samples, and the samples on each source line. Only
// function and file names count, not the paths of the binary or of the build, so a profile taken on
// another machine, or of a binary built elsewhere, still applies.
type Profile struct {
	SampleType string // the sample type used, "cpu" or "alloc_objects"
	Total      int64

	funcs map[string]*funcSamples // by package path + "." + function, normalized (profileFuncKey)
	lines map[lineKey]int64
}

type funcSamples struct{ flat, cum int64 }

// lineKey places a line by the package of the function on it and the file's base name: build paths
// differ between machines, package paths do not.
type lineKey struct {
	pkg, file string
	line      int
}

// profileSampleTypes are the sample types gcfix prefers, in order: in an allocation profile the
// number of allocations, which is what gcfix removes, then their bytes. Otherwise the profile's
// first sample type ("samples" of a CPU profile, proportional to its "cpu" time).
var profileSampleTypes = []string{"alloc_objects", "alloc_space"}

// LoadProfile reads a pprof profile, gzipped or not.
func Load(file string) (*Profile, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := pprof.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return New(file, p)
}

func New(file string, p *pprof.Profile) (*Profile, error) {
	if len(p.SampleType) == 0 {
		return nil, fmt.Errorf("%s: the profile has no sample types", file)
	}
	idx := preferredSampleType(p)
	out := &Profile{SampleType: p.SampleType[idx].Type, funcs: map[string]*funcSamples{}, lines: map[lineKey]int64{}}
	for _, s := range p.Sample {
		v := s.Value[idx]
		if v <= 0 {
			continue
		}
		out.Total += v
		seenFunc := map[string]bool{}
		seenLine := map[lineKey]bool{}
		for li, loc := range s.Location {
			for i, ln := range loc.Line {
				if ln.Function == nil {
					continue
				}
				pkg, key := profileFuncKey(ln.Function.Name)
				if key == "" {
					continue
				}
				fs := out.funcs[key]
				if fs == nil {
					fs = &funcSamples{}
					out.funcs[key] = fs
				}
				if li == 0 && i == 0 {
					fs.flat += v // the leaf: Line[0] is the innermost of the inlined frames
				}
				if !seenFunc[key] {
					seenFunc[key] = true
					fs.cum += v
				}
				lk := lineKey{pkg, path.Base(strings.ReplaceAll(ln.Function.Filename, `\`, "/")), int(ln.Line)}
				if !seenLine[lk] {
					seenLine[lk] = true
					out.lines[lk] += v
				}
			}
		}
	}
	if out.Total == 0 {
		return nil, fmt.Errorf("%s: the profile has no %s samples", file, out.SampleType)
	}
	return out, nil
}

func preferredSampleType(p *pprof.Profile) int {
	for _, want := range profileSampleTypes {
		for i, st := range p.SampleType {
			if st.Type == want {
				return i
			}
		}
	}
	return 0
}

// profileFuncKey splits a profile's function name, "example.com/m/ids.(*Cache[...]).Key.func1", into
// its package path and a key that names the declared function as FuncName does, without type
// arguments: "example.com/m/ids.(*Cache).Key". Closures and range-over-func bodies count as part of
// the function that declares them.
func profileFuncKey(name string) (pkg, key string) {
	name = stripTypeArgs(name)
	slash := strings.LastIndexByte(name, '/')
	dot := strings.IndexByte(name[slash+1:], '.')
	if dot < 0 {
		return "", ""
	}
	// The linker escapes the dots of the last path element: gopkg.in/yaml%2ev3.Marshal.
	pkg, fn := strings.ReplaceAll(name[:slash+1+dot], "%2e", "."), name[slash+1+dot+1:]
	parts := strings.Split(fn, ".")
	keep := 1 // F
	if strings.HasPrefix(fn, "(") || len(parts) > 1 && !isClosurePart(parts[1]) {
		keep = 2 // (*T).M, T.M
	}
	if keep > len(parts) {
		keep = len(parts)
	}
	fn = strings.Join(parts[:keep], ".")
	if i := strings.Index(fn, "-range"); i > 0 {
		fn = fn[:i]
	}
	return pkg, pkg + "." + fn
}

// isClosurePart reports whether a dotted part of a function name names a closure ("func1", "1"),
// not a method.
func isClosurePart(s string) bool {
	s = strings.TrimPrefix(s, "func")
	if i := strings.Index(s, "-range"); i >= 0 {
		s = s[:i]
	}
	return s == "" || strings.Trim(s, "0123456789") == ""
}

// stripTypeArgs removes bracketed type arguments: "F[...]", "T[go.shape.int]" → "F", "T".
func stripTypeArgs(s string) string {
	if !strings.Contains(s, "[") {
		return s
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Func returns the flat and cumulative share, in percent, of the samples in the function of package
// pkgPath named as FuncName names it ("F", "T.M", "(*T).M", "T[...].M"); 0, 0 when no sample is in
// it. A nil Profile has no samples.
func (p *Profile) Func(pkgPath, name string) (flat, cum float64) {
	if p == nil || p.Total == 0 {
		return 0, 0
	}
	fs := p.funcs[pkgPath+"."+stripTypeArgs(name)]
	if fs == nil {
		return 0, 0
	}
	return 100 * float64(fs.flat) / float64(p.Total), 100 * float64(fs.cum) / float64(p.Total)
}

// Samples returns the samples whose stack is on line of file (by its base name), in a function of
// package pkgPath: the line's cumulative weight. A nil Profile has none.
func (p *Profile) Samples(pkgPath, file string, line int) int64 {
	if p == nil {
		return 0
	}
	return p.lines[lineKey{pkgPath, path.Base(strings.ReplaceAll(file, `\`, "/")), line}]
}
