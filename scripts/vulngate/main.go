// Command vulngate reads govulncheck's JSON (-format json) on standard
// input and decides whether CI fails: on a vulnerable function our code
// calls in a module we require, which a `go get` of the fixed version
// repairs. A called vulnerability of the standard library is fixed by the
// Go toolchain the machines install, not by this repository: it is printed
// loudly and fails only with -stdlib=fail. Vulnerabilities in packages we
// import but whose vulnerable functions we never call are not reported
// (govulncheck's own policy).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

type finding struct {
	OSV          string `json:"osv"`
	FixedVersion string `json:"fixed_version"`
	Trace        []struct {
		Module   string `json:"module"`
		Version  string `json:"version"`
		Package  string `json:"package"`
		Function string `json:"function"`
		Receiver string `json:"receiver"`
	} `json:"trace"`
}

func main() {
	stdlib := flag.String("stdlib", "warn", "what a called vulnerability of the standard library does: warn or fail")
	flag.Parse()
	fail, err := gate(os.Stdin, os.Stdout, *stdlib == "fail")
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(2)
	}
	if fail {
		os.Exit(1)
	}
}

// gate reads govulncheck's findings, writes one line per vulnerability
// our code calls, and says whether CI fails.
func gate(r io.Reader, w io.Writer, stdlibFails bool) (fail bool, err error) {
	dec := json.NewDecoder(r)
	called := map[string]finding{} // by OSV id and module
	for {
		var msg struct {
			Finding *finding `json:"finding"`
		}
		err := dec.Decode(&msg)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return false, fmt.Errorf("unreadable govulncheck output: %w", err)
		}
		f := msg.Finding
		if f == nil || len(f.Trace) == 0 || f.Trace[0].Function == "" {
			continue // a module or package is affected, no call of ours reaches it
		}
		called[f.OSV+" "+f.Trace[0].Module] = *f
	}
	keys := make([]string, 0, len(called))
	for k := range called {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := called[k]
		t := f.Trace[0]
		what := "FAIL"
		if t.Module == "stdlib" && !stdlibFails {
			what = "WARN"
		} else {
			fail = true
		}
		fn := t.Function
		if t.Receiver != "" {
			fn = t.Receiver + "." + fn
		}
		fmt.Fprintf(w, "%s %s: %s@%s %s.%s is called; fixed in %s (https://pkg.go.dev/vuln/%s)\n", what, f.OSV, t.Module, t.Version, t.Package, fn, f.FixedVersion, f.OSV)
	}
	switch {
	case fail:
		fmt.Fprintln(w, "vulngate: our code calls a vulnerable function: update the module (go get MODULE@FIXED) or the Go toolchain")
	case len(called) > 0:
		fmt.Fprintln(w, "vulngate: the Go toolchain in use has called vulnerabilities (WARN above): install the fixed Go on the machines")
	default:
		fmt.Fprintln(w, "vulngate: no vulnerable function is called")
	}
	return fail, nil
}
