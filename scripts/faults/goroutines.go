package main

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// goroutineStacks asks the server's profile (on its metrics address) for
// its goroutines, counted by stack: a soak that ends with more goroutines
// at rest than it started with can then say which ones. The stack is its
// functions, innermost first, without addresses. Empty if the server does
// not answer.
func goroutineStacks(metricsAddr string) map[string]int {
	res, err := http.Get("http://" + metricsAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		return nil
	}
	return parseGoroutineProfile(string(data))
}

// parseGoroutineProfile reads the text form of a goroutine profile: blocks
// "N @ addresses" followed by "#\taddress\tfunction+offset\tfile:line"
// lines, separated by blank lines.
func parseGoroutineProfile(text string) map[string]int {
	out := map[string]int{}
	for _, block := range strings.Split(text, "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		// The first block starts with the profile's title line.
		if strings.HasPrefix(lines[0], "goroutine profile:") {
			lines = lines[1:]
		}
		if len(lines) == 0 {
			continue
		}
		head, _, ok := strings.Cut(lines[0], " @ ")
		n, err := strconv.Atoi(head)
		if !ok || err != nil {
			continue
		}
		var funcs []string
		for _, l := range lines[1:] {
			fields := strings.Split(strings.TrimPrefix(l, "#"), "\t")
			if len(fields) < 3 {
				continue
			}
			fn, _, _ := strings.Cut(fields[2], "+")
			funcs = append(funcs, fn)
		}
		stack := strings.Join(funcs, " ← ")
		if stack == "" {
			stack = "(starting or ending: no frame but runtime.goexit)"
		}
		out[stack] += n
	}
	return out
}

// moreGoroutines lists the stacks that have more goroutines in end than in
// start, with how many more.
func moreGoroutines(start, end map[string]int) map[string]int {
	more := map[string]int{}
	for stack, n := range end {
		if n > start[stack] {
			more[stack] = n - start[stack]
		}
	}
	return more
}

// total counts the goroutines of a profile.
func total(stacks map[string]int) int {
	n := 0
	for _, c := range stacks {
		n += c
	}
	return n
}
