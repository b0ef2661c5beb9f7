package main_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t *testing.T, dir string, serial int64, validFor time.Duration) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(validFor),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	// Write to temporary names and rename, as a renewal script would.
	for path, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(path+".new", pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile
}

func TestHTTPSRedirectAndCertificateRenewal(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir, 1, 90*24*time.Hour)
	vars := map[string]string{"OCPIZZA_DATA_DIR": dir, "OCPIZZA_TLS_CERT": cert, "OCPIZZA_TLS_KEY": key, "OCPIZZA_TLS_ADDR": "127.0.0.1:0"}
	if out := mustRun(t, vars, "", "migrate"); !strings.Contains(out, "applied") {
		t.Fatal(out)
	}
	if out := mustRun(t, vars, "", "check"); !strings.Contains(out, "ok    tls") {
		t.Fatal(out)
	}
	s := startServer(t, vars, "--addr", "127.0.0.1:0")
	httpsURL := strings.Fields(s.waitLine(t, "serving on"))[4]
	plainAddr := strings.Fields(s.waitLine(t, "redirects to HTTPS"))[3]

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Post("http://"+plainAddr+"/api/v1/orders?x=1", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != httpsURL+"/api/v1/orders?x=1" {
		t.Fatalf("plain HTTP: %d → %q, want 308 → %s/api/v1/orders?x=1", res.StatusCode, res.Header.Get("Location"), httpsURL)
	}
	res, err = noFollow.Get("http://" + plainAddr + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("plain /healthz: %v %v", res, err)
	}
	res.Body.Close()

	var seenSerial atomic.Int64
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // a self-signed test certificate; the serial is checked below
		VerifyConnection: func(cs tls.ConnectionState) error {
			seenSerial.Store(cs.PeerCertificates[0].SerialNumber.Int64())
			return nil
		},
	}}}
	res, err = client.Get(httpsURL + "/api/v1/pizzerias")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") || seenSerial.Load() != 1 {
		t.Fatalf("HTTPS: %d, HSTS %q, serial %d", res.StatusCode, res.Header.Get("Strict-Transport-Security"), seenSerial.Load())
	}
	if res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
		t.Fatal("old TLS version negotiated")
	}

	// Renewal: new files, no restart.
	writeCert(t, dir, 2, 90*24*time.Hour)
	deadline := time.Now().Add(5 * time.Second)
	for seenSerial.Load() != 2 {
		if time.Now().After(deadline) {
			t.Fatal("the renewed certificate was not picked up within 5 s")
		}
		time.Sleep(200 * time.Millisecond)
		if res, err := client.Get(httpsURL + "/healthz"); err == nil {
			res.Body.Close()
		}
	}

	// A certificate expiring within 30 days fails the check.
	writeCert(t, dir, 3, 10*24*time.Hour)
	if code, out, _ := ocpizza(t, vars, "", "check"); code != 1 || !strings.Contains(out, "FAIL  tls") {
		t.Fatalf("expiring certificate: exit %d\n%s", code, out)
	}
}

// TestUpdateWithoutStopping replaces a running binary the way the
// operations manual says: start the new one on the same address, then
// SIGTERM the old one. Clients making requests all along see no failure,
// and an open event stream is told to reconnect and does so.
func TestUpdateWithoutStopping(t *testing.T) {
	// When the old process closes its listener, connections the kernel
	// had already queued on it must move to the new process's listener
	// instead of being reset: net.ipv4.tcp_migrate_req (Linux 5.14+), which
	// the deployment sets (deploy/99-ocpizza.conf) and so does .ci/run.
	if v, err := os.ReadFile("/proc/sys/net/ipv4/tcp_migrate_req"); err != nil || strings.TrimSpace(string(v)) != "1" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("net.ipv4.tcp_migrate_req must be 1 (got %q, %v)", v, err)
		}
		t.Skip("SKIPPING: set net.ipv4.tcp_migrate_req=1 (sysctl) for a zero-failure binary replacement")
	}
	dir := t.TempDir()
	addr := freePort(t)
	vars := map[string]string{"OCPIZZA_DATA_DIR": dir, "OCPIZZA_SHUTDOWN_TIMEOUT": "10s"}
	old := startServer(t, vars, "--addr", addr, "--demo")
	old.waitLine(t, "Demo logins")
	url := "http://" + addr
	waitHealthy(t, url)

	res, err := http.Post(url+"/api/v1/auth/token", "application/json", strings.NewReader(`{"email":"pizzaiolo.rep@ocpizza.fr","password":"pizza-demo-2026"}`))
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()

	// An event stream on the old process.
	openStream := func() (*http.Response, error) {
		req, _ := http.NewRequest("GET", url+"/api/v1/pizzerias/1/events", nil)
		req.Header.Set("Authorization", "Bearer "+login.Token)
		return (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	}
	stream, err := openStream()
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("stream: %v %v", stream, err)
	}
	streamEnded := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stream.Body)
		for sc.Scan() {
		}
		close(streamEnded)
	}()

	// Continuous requests from 8 clients.
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 15 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				var reused bool
				req, _ := http.NewRequest("GET", url+"/api/v1/pizzerias/1/menu", nil)
				req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}))
				res, err := client.Do(req)
				if err != nil {
					err = fmt.Errorf("%w (connection reused: %v, at %s)", err, reused, time.Now().UTC().Format("15:04:05.000000"))
				}
				if err == nil {
					res.Body.Close()
				}
				if err != nil || res.StatusCode != 200 {
					failed.Add(1)
					if err != nil {
						firstErr.CompareAndSwap(nil, err.Error())
					}
					continue
				}
				ok.Add(1)
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)

	updated := startServer(t, vars, "--addr", addr)
	updated.waitLine(t, "serving on")
	time.Sleep(300 * time.Millisecond)
	if err := old.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-old.done:
		if old.err != nil {
			t.Fatalf("the old process did not stop cleanly: %v\n%s", old.err, old.logWithoutRequests())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the old process did not stop")
	}
	select {
	case <-streamEnded:
	case <-time.After(5 * time.Second):
		t.Fatal("the event stream was not closed by the old process")
	}
	// The client reconnects, to the new process.
	again, err := openStream()
	if err != nil || again.StatusCode != 200 {
		t.Fatalf("reconnect: %v %v", again, err)
	}
	again.Body.Close()
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failed.Load() != 0 || ok.Load() < 100 {
		t.Log(old.logWithoutRequests())
		t.Log(updated.logWithoutRequests())
		t.Fatalf("%d requests failed (first: %v), %d succeeded", failed.Load(), firstErr.Load(), ok.Load())
	}
	t.Logf("%d requests, none failed, across the replacement", ok.Load())
}

// TestAddressNotSharedAcrossDatabases: SO_REUSEPORT lets a new ocpizza
// share a running one's address for an update; one serving another
// database must not, or requests would land in either database.
func TestAddressNotSharedAcrossDatabases(t *testing.T) {
	addr := freePort(t)
	one := map[string]string{"OCPIZZA_DATA_DIR": t.TempDir()}
	other := map[string]string{"OCPIZZA_DATA_DIR": t.TempDir()}
	first := startServer(t, one, "--addr", addr)
	first.waitLine(t, "serving on")

	// Started as a server: before the check it served, and must not hang
	// the test.
	intruder := startServer(t, other, "--addr", addr)
	timeout := time.After(30 * time.Second)
	for line := range intruder.lines { // closed when the process exits
		if strings.Contains(line, "serving on") {
			t.Fatalf("a second database serves on the same address: %s", line)
		}
	}
	select {
	case <-intruder.done:
	case <-timeout:
		t.Fatal("the second database's server did not stop")
	}
	if exit, ok := intruder.err.(*exec.ExitError); !ok || exit.ExitCode() != 1 ||
		!strings.Contains(intruder.stderr.String(), "another ocpizza already serves "+addr+" with another database") {
		t.Fatalf("a second database on the same address: %v\n%s", intruder.err, intruder.stderr)
	}

	// The same database: shared, as an update needs.
	second := startServer(t, one, "--addr", addr)
	second.waitLine(t, "serving on")
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health struct{ Status, Database string }
	json.NewDecoder(res.Body).Decode(&health)
	res.Body.Close()
	if health.Status != "ok" || len(health.Database) != 32 {
		t.Fatalf("/healthz: %+v", health)
	}

	// A process that is not ocpizza holds the address: a clear refusal.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	code, _, errOut := ocpizza(t, other, "", "serve", "--addr", ln.Addr().String())
	if code != 1 || !strings.Contains(errOut, "does not answer as ocpizza") {
		t.Fatalf("an address held by something else: exit %d %s", code, errOut)
	}
}
