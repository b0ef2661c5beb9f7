package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, the accessibility engine, from npm (see
// testdata/axe-core/SOURCE), checked against its recorded checksum.
func axeSource(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "axe-core", "axe.min.js"))
	check(t, err)
	return string(data)
}

func TestAxeCoreIsTheRecordedFile(t *testing.T) {
	t.Parallel()
	sums, err := os.ReadFile(filepath.Join("testdata", "axe-core", "SHA256SUMS"))
	check(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		want, name, _ := strings.Cut(line, "  ")
		data, err := os.ReadFile(filepath.Join("testdata", "axe-core", name))
		check(t, err)
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: checksum %s, recorded %s: refresh it with make assets, not by hand", name, got, want)
		}
	}
}

// audit checks the page as it stands: no CSP violation or script error
// since it loaded, and no serious or critical WCAG 2.2 AA violation found
// by axe-core.
func (b *tab) audit() {
	b.t.Helper()
	b.auditScripts()
	if !eval[bool](b, "typeof window.axe === 'object'") {
		eval[bool](b, axeSourceOnce(b.t)+";true")
	}
	ctx, cancel := context.WithTimeout(b.ctx, b.wait)
	defer cancel()
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
		resultTypes: ["violations"]
	}).then((r) => r.violations
		.filter((v) => v.impact === "serious" || v.impact === "critical")
		.map((v) => v.id + " (" + v.impact + "): " + v.help + " — " + v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", b.location(), err)
	}
	for _, v := range found {
		b.t.Errorf("accessibility, %s: %s", b.location(), v)
	}
}

// auditScripts fails on any Content-Security-Policy violation or uncaught
// script error the page has had since it loaded.
func (b *tab) auditScripts() {
	b.t.Helper()
	if problems := eval[[]string](b, "window.__problems || []"); len(problems) > 0 {
		b.t.Errorf("%s: %s", b.location(), strings.Join(problems, "; "))
	}
}

// fitsWidth fails when the page is wider than its window, which a phone
// shows as a sideways scroll, and names the elements that stick out.
func (b *tab) fitsWidth() {
	b.t.Helper()
	over := eval[[]string](b, `(() => {
		const w = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth <= w) return [];
		return [...document.querySelectorAll("body *")]
			.filter((e) => e.getBoundingClientRect().right > w + 1)
			.slice(-5)
			.map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).trim().split(/\s+/).join(".") : "") +
				" (right edge " + Math.round(e.getBoundingClientRect().right) + " px)");
	})()`)
	if len(over) > 0 {
		b.t.Errorf("%s: wider than the window (%d px): %s", b.location(), eval[int](b, "document.documentElement.clientWidth"), strings.Join(over, ", "))
	}
}

// seeLang fails unless the page says it is in lang.
func (b *tab) seeLang(lang string) {
	b.t.Helper()
	if got := eval[string](b, "document.documentElement.lang"); got != lang {
		b.t.Errorf("%s: the page says lang=%q, want %q", b.location(), got, lang)
	}
}

var (
	axeOnce sync.Once
	axeJS   string
)

func axeSourceOnce(t *testing.T) string {
	axeOnce.Do(func() { axeJS = axeSource(t) })
	return axeJS
}
