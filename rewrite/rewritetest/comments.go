package rewritetest

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/gcfix/gcfix/rewrite/diag"
	"github.com/gcfix/gcfix/rewrite/rule"
)

// lineComments are the expectations written on one line.
type lineComments struct {
	errors   []*regexp.Regexp // ERROR: diagnostics on the line
	declines []*regexp.Regexp // DECLINE: reasons of declined candidates on the line
	variant  string           // VARIANT: the variant applied to the candidate on the line
}

// fileComments maps line numbers to their expectations.
type fileComments map[int]lineComments

var commentRE = regexp.MustCompile(`//\s*(ERROR|DECLINE|VARIANT)\s`)

// commentStart returns where the ERROR/DECLINE/VARIANT comment of a line starts, or -1.
func commentStart(line string) int {
	if loc := commentRE.FindStringIndex(line); loc != nil {
		return loc[0]
	}
	return -1
}

func parseComments(src []byte) (fileComments, error) {
	fc := fileComments{}
	for i, line := range strings.Split(string(src), "\n") {
		j := commentStart(line)
		if j < 0 {
			continue
		}
		lc, err := parseComment(line[j:])
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		fc[i+1] = lc
	}
	return fc, nil
}

// parseComment reads `// ERROR "re"... DECLINE "re"... VARIANT "name"`; regexps and the name are
// Go strings, quoted or raw.
func parseComment(c string) (lineComments, error) {
	var lc lineComments
	rest := strings.TrimSpace(strings.TrimPrefix(c, "//"))
	var into *[]*regexp.Regexp
	variant := false
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "ERROR"):
			into, variant, rest = &lc.errors, false, rest[len("ERROR"):]
		case strings.HasPrefix(rest, "DECLINE"):
			into, variant, rest = &lc.declines, false, rest[len("DECLINE"):]
		case strings.HasPrefix(rest, "VARIANT"):
			into, variant, rest = nil, true, rest[len("VARIANT"):]
		default:
			if into == nil && !variant {
				return lineComments{}, fmt.Errorf("want ERROR, DECLINE or VARIANT in %q", c)
			}
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return lineComments{}, fmt.Errorf("want a quoted string at %q", rest)
			}
			s, _ := strconv.Unquote(q)
			rest = strings.TrimSpace(rest[len(q):])
			if variant {
				if lc.variant != "" {
					return lineComments{}, fmt.Errorf("more than one VARIANT in %q", c)
				}
				lc.variant = s
				continue
			}
			re, err := regexp.Compile(s)
			if err != nil {
				return lineComments{}, err
			}
			*into = append(*into, re)
			continue
		}
		rest = strings.TrimSpace(rest)
	}
	if len(lc.errors)+len(lc.declines) == 0 && lc.variant == "" {
		return lineComments{}, fmt.Errorf("no regexp in %q", c)
	}
	return lc, nil
}

// loadPass loads the package as the engine does (with its internal tests) and makes the rule's
// view of it, so that the harness can call Match on the original code.
func loadPass(ctx context.Context, dir, pkgPath string, diags *diag.Diagnostics) (*rule.Pass, error) {
	fset := token.NewFileSet()
	cfg := &packages.Config{
		Context: ctx,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
			packages.NeedTypes | packages.NeedTypesSizes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir:   dir,
		Tests: true,
		Fset:  fset,
	}
	pkgs, err := packages.Load(cfg, pkgPath)
	if err != nil {
		return nil, err
	}
	var pkg *packages.Package
	for _, p := range pkgs {
		if p.PkgPath != pkgPath || strings.HasSuffix(p.ID, ".test") {
			continue
		}
		if pkg == nil || strings.Contains(p.ID, "[") {
			pkg = p
		}
	}
	if pkg == nil {
		return nil, fmt.Errorf("package %s not found in %s", pkgPath, dir)
	}
	if len(pkg.Errors) > 0 {
		return nil, fmt.Errorf("loading %s: %v", pkgPath, pkg.Errors[0])
	}
	pass := &rule.Pass{Fset: fset, Info: pkg.TypesInfo, Types: pkg.Types, Sizes: pkg.TypesSizes, Diags: diags}
	pass.Module = []*rule.Pass{pass}
	pkgDir := filepath.Dir(pkg.GoFiles[0])
	for _, f := range pkg.Syntax {
		if ast.IsGenerated(f) || filepath.Dir(fset.File(f.Pos()).Name()) != pkgDir {
			continue
		}
		pass.Files = append(pass.Files, f)
	}
	return pass, nil
}
