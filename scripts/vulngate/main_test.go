package main

import (
	"io"
	"strings"
	"testing"
)

// Findings as govulncheck -format json writes them: one whose trace starts
// at a function of ours (called), one that stops at a package (imported,
// not called).
const (
	calledModule = `{"finding":{"osv":"GO-2099-0001","fixed_version":"v1.2.4","trace":[{"module":"example.com/lib","version":"v1.2.3","package":"example.com/lib/x","function":"Parse"},{"module":"github.com/oc-pizza/ocpizza","package":"x","function":"main"}]}}`
	importedOnly = `{"finding":{"osv":"GO-2099-0002","fixed_version":"v1.0.1","trace":[{"module":"example.com/other","version":"v1.0.0","package":"example.com/other"}]}}`
	calledStdlib = `{"finding":{"osv":"GO-2099-0003","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/http","function":"Do","receiver":"*Client"}]}}`
)

func TestGate(t *testing.T) {
	for _, tc := range []struct {
		name        string
		in          string
		stdlibFails bool
		fail        bool
	}{
		{"a called function of a required module", `{"config":{}}` + calledModule + importedOnly, false, true},
		{"imported, never called", importedOnly, false, false},
		{"the standard library warns", calledStdlib, false, false},
		{"the standard library, when told to fail", calledStdlib, true, true},
		{"nothing", `{"config":{"protocol_version":"v1.0.0"}}`, false, false},
	} {
		fail, err := gate(strings.NewReader(tc.in), io.Discard, tc.stdlibFails)
		if err != nil || fail != tc.fail {
			t.Errorf("%s: fail %v (%v), want %v", tc.name, fail, err, tc.fail)
		}
	}
	if _, err := gate(strings.NewReader("{"), io.Discard, false); err == nil {
		t.Error("unreadable input accepted")
	}
}
