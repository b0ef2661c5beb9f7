package main_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/store"
	"github.com/oc-pizza/ocpizza/internal/store/storetest"
)

func signIn(t *testing.T, base, email string) string {
	t.Helper()
	res, err := http.Post(base+"/api/v1/auth/token", "application/json", strings.NewReader(`{"email":"`+email+`","password":"pizza-demo-2026"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Token string }
	json.NewDecoder(res.Body).Decode(&out)
	if out.Token == "" {
		t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return out.Token
}

// TestTwoInstancesShareEvents runs two servers on one PostgreSQL (then
// MySQL) database: an order placed through one shows on the other's kitchen
// stream within a second.
func TestTwoInstancesShareEvents(t *testing.T) {
	for _, e := range []store.Engine{store.Postgres, store.MySQL} {
		t.Run(string(e), func(t *testing.T) {
			vars := map[string]string{"OCPIZZA_DATABASE_URL": storetest.NewDatabase(t, e), "OCPIZZA_DATA_DIR": t.TempDir()}
			a := startServer(t, vars, "--addr", "127.0.0.1:0", "--demo")
			aURL := strings.TrimSuffix(strings.Fields(a.waitLine(t, "Open http"))[1], "/")
			b := startServer(t, vars, "--addr", "127.0.0.1:0")
			bURL := strings.Fields(b.waitLine(t, "serving on"))[4]

			kitchen := signIn(t, bURL, "pizzaiolo.rep@ocpizza.fr")
			req, _ := http.NewRequest("GET", bURL+"/api/v1/pizzerias/1/events", nil)
			req.Header.Set("Authorization", "Bearer "+kitchen)
			stream, err := http.DefaultClient.Do(req)
			if err != nil || stream.StatusCode != 200 {
				t.Fatalf("stream on B: %v %v", stream, err)
			}
			defer stream.Body.Close()
			got := make(chan string, 10)
			go func() {
				sc := bufio.NewScanner(stream.Body)
				for sc.Scan() {
					if k, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
						got <- k
					}
				}
			}()

			// A phone order: the demo's shops may be closed to the website
			// at the hour the test runs.
			counter := signIn(t, aURL, "counter.rep@ocpizza.fr")
			body := `{"pizzeria_id":1,"items":[{"product_id":1,"quantity":1}],"fulfilment":"pickup","payment_method":"on_delivery",
				"channel":"phone","customer":{"name":"Jean Dupont","phone":"0478000000"}}`
			req, _ = http.NewRequest("POST", aURL+"/api/v1/orders", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+counter)
			req.Header.Set("Content-Type", "application/json")
			placed := time.Now()
			res, err := http.DefaultClient.Do(req)
			if err != nil || res.StatusCode != 201 {
				t.Fatalf("order on A: %v %v", res, err)
			}
			res.Body.Close()
			select {
			case kind := <-got:
				if kind != "order.created" {
					t.Fatalf("B's kitchen got %s first", kind)
				}
				// How fast, the load tool measures; this checks that it
				// arrives, on a machine the whole suite shares.
				t.Logf("order placed on A reached B's kitchen in %s", time.Since(placed).Round(time.Millisecond))
			case <-time.After(10 * time.Second):
				t.Fatal("B's kitchen saw nothing within 10 s of the order on A")
			}
		})
	}
}
