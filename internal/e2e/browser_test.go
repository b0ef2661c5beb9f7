// Package e2e drives the real site in a real browser — Debian's chromium,
// through chromedp — the way a person uses it: elements are found by their
// role and accessible name (as Chrome computes them for screen readers),
// fields by their label. Without chromium the tests skip loudly; under
// CI=true they fail.
package e2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// browserPath finds chromium: OCPIZZA_CHROMIUM, else the usual names.
func browserPath() (string, error) {
	if p := os.Getenv("OCPIZZA_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium on PATH (apt-get install -y chromium)")
}

var (
	browserOnce  sync.Once
	browserCtx   context.Context
	browserErr   error
	browserClose context.CancelFunc
)

// TestMain shares one browser between the tests; each test gets its own
// browser context (its own cookies), as if it were another person.
func TestMain(m *testing.M) {
	// The browser tests mostly wait — for pages, streams, a person's next
	// step — not compute: more of them run at once than there are cores.
	flag.Parse()
	if f := flag.Lookup("test.parallel"); f != nil && f.Value.String() == strconv.Itoa(runtime.GOMAXPROCS(0)) {
		flag.Set("test.parallel", "6")
	}
	code := m.Run()
	if browserClose != nil {
		browserClose()
	}
	os.Exit(code)
}

func sharedBrowser(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		path, err := browserPath()
		if err != nil {
			browserErr = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox, // CI runs as root
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("lang", "fr-FR"),
			chromedp.Flag("accept-lang", "fr-FR,fr"),
			chromedp.WindowSize(1280, 900),
		)
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		if err := chromedp.Do(ctx); err != nil {
			cancel()
			cancelAlloc()
			browserErr = fmt.Errorf("start %s: %w", path, err)
			return
		}
		browserCtx = ctx
		browserClose = func() { cancel(); cancelAlloc() }
	})
	if browserErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("a browser is required under CI=true: %v", browserErr)
		}
		t.Skipf("SKIPPING BROWSER TESTS: %v. They run for real in CI.", browserErr)
	}
	return browserCtx
}

// tab is one person's browser tab on the site.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	// wait bounds each step: long enough for a busy CI machine (two
	// cores, the race detector, six browsers and the other packages'
	// tests at once: typing a few lines took over 10 s there), short
	// enough that a broken page fails within the test's time.
	wait time.Duration
}

// newTab opens a tab in a fresh browser context (no cookies) on the site
// at base, with a window of the given width.
func newTab(t *testing.T, base string, width int64) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(sharedBrowser(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	b := &tab{t: t, ctx: ctx, base: base, wait: 20 * time.Second}
	// The first run opens the tab: it must not carry a deadline, which
	// would close the tab when it passes.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	b.do(chromedp.EmulateViewport(width, 900))
	// Record Content-Security-Policy violations and uncaught script errors
	// from the first line of every page: audit fails on any.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchPage}); err != nil {
		t.Fatalf("watch pages: %v", err)
	}
	// Answer confirm() dialogs (cancelling an order asks first) with yes.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return b
}

// do runs actions with the step's time limit, failing the test on error.
func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := b.try(actions...); err != nil {
		b.t.Fatalf("%v (page %s)", err, b.location())
	}
}

// watchPage runs before a page's own scripts: it keeps what the browser
// refused under our Content-Security-Policy, and the uncaught errors.
const watchPage = `window.__problems = [];
document.addEventListener("securitypolicyviolation", (e) => window.__problems.push("CSP " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));
window.addEventListener("error", (e) => window.__problems.push("script error: " + e.message + " at " + e.filename + ":" + e.lineno));
window.addEventListener("unhandledrejection", (e) => window.__problems.push("unhandled rejection: " + e.reason));`

func (b *tab) try(actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.wait)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// open loads a page of the site.
func (b *tab) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base + path))
}

// byRole finds elements by their accessible role and name, as assistive
// technology sees the page.
func byRole(role, name string) chromedp.QueryOption {
	return chromedp.ByFunc(func(ctx context.Context, t *chromedp.Target, n *chromedp.Node) ([]cdp.NodeID, error) {
		res, err := cdp.Call(ctx, t, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{NodeID: n.NodeID, AccessibleName: name, Role: role})
		if err != nil {
			return nil, err
		}
		var backend []cdp.BackendNodeID
		for _, ax := range res.Nodes {
			if !ax.Ignored && ax.BackendDOMNodeID != 0 {
				backend = append(backend, ax.BackendDOMNodeID)
			}
		}
		if len(backend) == 0 {
			return nil, nil
		}
		pushed, err := cdp.Call(ctx, t, dom.PushNodesByBackendIDsToFrontend, dom.PushNodesByBackendIDsToFrontendParams{BackendNodeIDs: backend})
		return pushed.NodeIDs, err
	})
}

// within is where a query looks: inside the element of a role and name
// (the article of one pizza, one ticket). It is found again at every
// attempt: live pages replace their regions while a test — or a person —
// is about to tap.
type within struct{ role, name string }

// in narrows a query to the element of a role and name.
func (b *tab) in(role, name string) within { return within{role, name} }

func describe(role, name string) string { return role + " " + fmt.Sprintf("%q", name) }

// attempt is how long one try of a step lasts before it is tried afresh.
const attempt = 1500 * time.Millisecond

// retry runs a step until it succeeds or the step's time is up, each try
// with fresh nodes.
func (b *tab) retry(what string, step func(ctx context.Context) error) {
	b.t.Helper()
	deadline := time.Now().Add(b.wait)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, attempt)
		err := step(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || b.ctx.Err() != nil {
			b.t.Fatalf("%s on %s: %v\nthe page reads:\n%s", what, b.location(), err, b.visibleText())
		}
	}
}

// query is the options that find the element of a role and name, in w.
func (b *tab) query(ctx context.Context, role, name string, w []within) ([]chromedp.QueryOption, error) {
	opts := []chromedp.QueryOption{byRole(role, name)}
	for _, scope := range w {
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(describe(scope.role, scope.name), byRole(scope.role, scope.name)))
		if err != nil {
			return nil, err
		}
		if len(nodes) == 0 {
			return nil, fmt.Errorf("no %s", describe(scope.role, scope.name))
		}
		opts = append(opts, chromedp.FromNode(nodes[0]))
	}
	return opts, nil
}

// click clicks the element of a role and name, with the mouse.
func (b *tab) click(role, name string, w ...within) {
	b.t.Helper()
	b.retry("click "+describe(role, name), func(ctx context.Context) error {
		opts, err := b.query(ctx, role, name, w)
		if err != nil {
			return err
		}
		return chromedp.Do(ctx, chromedp.Click(describe(role, name), opts...))
	})
}

// press clicks the element of a role and name until what it does shows
// (done answers nil): on a live screen a tap can land as the region is
// being replaced, and a person then taps again.
func (b *tab) press(role, name string, done func(ctx context.Context) error, w ...within) {
	b.t.Helper()
	b.pressAfter(nil, role, name, done, w...)
}

// pressAfter is press, with what a person does again before each tap (tick
// the payment method a refresh may have come between).
func (b *tab) pressAfter(prepare func(), role, name string, done func(ctx context.Context) error, w ...within) {
	b.t.Helper()
	// A look at the page, not a wait: queries wait for what they seek. A
	// look is given a second: a busy machine takes that to read a page's
	// accessibility tree.
	look := func() error {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		defer cancel()
		return done(ctx)
	}
	deadline := time.Now().Add(b.wait)
	for {
		if err := look(); err == nil {
			return // done, by this tap or an earlier one whose answer was slow
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("press %s on %s: nothing came of it\nthe page reads:\n%s", describe(role, name), b.location(), b.visibleText())
		}
		if prepare != nil {
			prepare()
		}
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		if opts, err := b.query(ctx, role, name, w); err == nil {
			chromedp.Do(ctx, chromedp.Click(describe(role, name), opts...))
		}
		cancel()
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if look() == nil {
				return
			}
		}
	}
}

// shows answers whether text is on the page now, for press.
func (b *tab) shows(text string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
		if err == nil && !strings.Contains(s, text) {
			err = fmt.Errorf("%q is not on the page", text)
		}
		return err
	}
}

// opens answers whether the dialog of a name is open, for press.
func (b *tab) opens(name string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		opts, err := b.query(ctx, "dialog", name, nil)
		if err != nil {
			return err
		}
		return chromedp.Do(ctx, chromedp.WaitVisible(describe("dialog", name), opts...))
	}
}

// follow clicks a link or a form's button and waits for the page it
// leads to to have loaded.
func (b *tab) follow(role, name string, w ...within) {
	b.t.Helper()
	eval[bool](b, "window.__before = true")
	b.retry("click "+describe(role, name), func(ctx context.Context) error {
		// On a busy machine a click can land after its attempt gave up:
		// the page it led to is then there, and the button gone.
		if left, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__before === undefined`)); err == nil && left {
			return nil
		}
		opts, err := b.query(ctx, role, name, w)
		if err != nil {
			return err
		}
		return chromedp.Do(ctx, chromedp.Click(describe(role, name), opts...))
	})
	b.retry("load the page after "+describe(role, name), func(ctx context.Context) error {
		loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__before === undefined && document.readyState === "complete"`))
		if err == nil && !loaded {
			err = errors.New("not loaded yet")
		}
		if err != nil {
			time.Sleep(25 * time.Millisecond)
		}
		return err
	})
}

// fill types into the text field labelled label, replacing what it held.
func (b *tab) fill(label, value string, w ...within) {
	b.t.Helper()
	b.typeInto("textbox", label, value, w...)
}

// fillNumber types into the number field labelled label.
func (b *tab) fillNumber(label, value string, w ...within) {
	b.t.Helper()
	b.typeInto("spinbutton", label, value, w...)
}

func (b *tab) typeInto(role, label, value string, w ...within) {
	b.t.Helper()
	var field []*chromedp.Node
	b.retry("find "+describe(role, label), func(ctx context.Context) error {
		opts, err := b.query(ctx, role, label, w)
		if err != nil {
			return err
		}
		field, err = chromedp.Run(ctx, chromedp.Nodes(describe(role, label), opts...))
		if err == nil && len(field) == 0 {
			err = fmt.Errorf("no %s", describe(role, label))
		}
		return err
	})
	// Typing takes a key event a character, which a busy machine does not
	// finish within one attempt's time: it gets the step's.
	ctx, cancel := context.WithTimeout(b.ctx, b.wait)
	defer cancel()
	ids := chromedp.NodeIDs{field[0].NodeID}
	// Select what the field holds, so the keys replace it as a person's
	// typing over a selection does.
	err := chromedp.Do(ctx, chromedp.Focus(ids), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.SendKeys(ids, value))
	if err != nil {
		b.t.Fatalf("type into %s on %s: %v", describe(role, label), b.location(), err)
	}
}

// choose picks the radio button labelled label.
func (b *tab) choose(label string) {
	b.t.Helper()
	b.click("radio", label)
}

// waitFor waits until an element of a role and name shows.
func (b *tab) waitFor(role, name string, w ...within) {
	b.t.Helper()
	b.retry("wait for "+describe(role, name), func(ctx context.Context) error {
		opts, err := b.query(ctx, role, name, w)
		if err != nil {
			return err
		}
		return chromedp.Do(ctx, chromedp.WaitVisible(describe(role, name), opts...))
	})
}

// attr reads an attribute of the element of a role and name ("" when it
// has none; "true" for a boolean attribute that is present).
func (b *tab) attr(role, name, attr string, w ...within) string {
	b.t.Helper()
	var v string
	b.retry("read "+attr+" of "+describe(role, name), func(ctx context.Context) error {
		var err error
		v, err = b.readAttr(ctx, role, name, attr, w)
		return err
	})
	return v
}

func (b *tab) readAttr(ctx context.Context, role, name, attr string, w []within) (string, error) {
	opts, err := b.query(ctx, role, name, w)
	if err != nil {
		return "", err
	}
	res, err := chromedp.Run(ctx, chromedp.AttributeValue(describe(role, name), attr, opts...))
	switch {
	case err != nil:
		return "", err
	case !res.Exists:
		return "", nil
	case res.Value == "":
		return "true", nil
	}
	return res.Value, nil
}

// waitForAttr waits until the element of a role and name has an attribute
// with a value (the page updating live).
func (b *tab) waitForAttr(role, name, attr, value string, w ...within) {
	b.t.Helper()
	b.retry("wait for "+attr+"="+value+" on "+describe(role, name), func(ctx context.Context) error {
		v, err := b.readAttr(ctx, role, name, attr, w)
		if err == nil && v != value {
			time.Sleep(50 * time.Millisecond)
			err = fmt.Errorf("%s is %q", attr, v)
		}
		return err
	})
}

// noScripts turns JavaScript off in the tab, for the plain-forms path.
func (b *tab) noScripts() {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		b.t.Fatalf("turn scripts off: %v", err)
	}
}

// eval runs JavaScript in the page and returns its result.
func eval[T any](b *tab, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, b.wait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// visibleText is the page's text as a person reads it.
func (b *tab) visibleText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
	// No-break spaces ("12,50 €", "18 h 05") read as the spaces they look
	// like.
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s)
}

// seeText waits until text shows somewhere on the page.
func (b *tab) seeText(text string) {
	b.t.Helper()
	deadline := time.Now().Add(b.wait)
	for {
		if strings.Contains(b.visibleText(), text) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%q never showed on %s; the page reads:\n%s", text, b.location(), b.visibleText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitForVisible and waitForHidden wait for an element of the page (by CSS
// selector) to show or to go, such as the offline banner.
func (b *tab) waitForVisible(css string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(css)))
}

func (b *tab) waitForHidden(css string) {
	b.t.Helper()
	b.do(chromedp.WaitNotVisible(chromedp.CSS(css)))
}

// waitForStep waits until the tracking page marks step as the current one
// (aria-current="step"), as a screen reader announces it.
func (b *tab) waitForStep(step string) {
	b.t.Helper()
	deadline := time.Now().Add(b.wait)
	for {
		got := eval[string](b, `(document.querySelector('[aria-current="step"] .name') || {}).textContent || ""`)
		if got == step {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the current step is %q, never %q; the page reads:\n%s", got, step, b.visibleText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
