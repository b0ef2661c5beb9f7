package app_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oc-pizza/ocpizza/internal/pizzeria"
)

// TestReports: a report over days long settled (read from their rollups,
// built on first use) and today (read from the orders), with sales,
// cancellations, times and waste; who may read it, and bad periods.
func TestReports(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		real := c.store.Clock()
		fiveDaysAgo := real().Add(-5 * 24 * time.Hour)
		c.store.SetClock(func() time.Time { return fiveDaysAgo })
		old := c.order("alice", nil) // 2 × 9,50 + 3,00
		c.store.SetClock(func() time.Time { return fiveDaysAgo.Add(20 * time.Minute) })
		c.must(200, "POST", "/api/v1/orders/"+id(old)+"/status", "pizzaiolo", map[string]any{"status": "preparing"})
		c.must(200, "POST", "/api/v1/orders/"+id(old)+"/status", "pizzaiolo", map[string]any{"status": "ready"})
		c.must(200, "POST", "/api/v1/orders/"+id(old)+"/status", "driver", map[string]any{"status": "out_for_delivery"})
		c.store.SetClock(func() time.Time { return fiveDaysAgo.Add(50 * time.Minute) }) // promised 40 minutes after
		c.must(200, "POST", "/api/v1/orders/"+id(old)+"/status", "driver", map[string]any{"status": "delivered"})
		c.store.SetClock(real)
		c.order("bob", nil)
		gone := c.order("bob", nil)
		c.must(200, "POST", "/api/v1/orders/"+id(gone)+"/cancel", "bob", nil)
		c.must(201, "POST", fmt.Sprintf("/api/v1/pizzerias/%d/stock/batches", c.shop), "manager", map[string]any{"reason": "waste", "note": "Pâte trop levée",
			"lines": []map[string]any{{"ingredient_id": c.dough, "quantity": 500}}})

		from := fiveDaysAgo.In(pizzeria.Paris).AddDate(0, 0, -1).Format("2006-01-02")
		to := time.Now().In(pizzeria.Paris).Format("2006-01-02")
		path := "/api/v1/reports?from=" + from + "&to=" + to
		for range 2 { // the second reads the rollup the first built
			r := c.must(200, "GET", path, "admin", nil)
			total := r["total"].(map[string]any)
			if total["orders"].(float64) != 2 || total["cents"].(float64) != 2*2200 || total["cancelled"].(float64) != 1 || total["done"].(float64) != 1 || total["late"].(float64) != 1 {
				t.Fatalf("total %v", total)
			}
			if days := r["days"].([]any); len(days) != 7 || days[1].(map[string]any)["orders"].(float64) != 1 {
				t.Fatalf("days %v", days)
			}
			if len(r["hours"].([]any)) != 24 || len(r["pizzerias"].([]any)) != 2 || len(r["products"].([]any)) != 2 {
				t.Fatalf("report %v", r)
			}
			waste := r["waste"].([]any)
			if len(waste) != 1 || waste[0].(map[string]any)["quantity"].(float64) != 500 {
				t.Fatalf("waste %v", waste)
			}
		}
		// The page's CSV of a table: what French spreadsheets open.
		csv, ctype := c.page("/admin/reports/days.csv?from="+from+"&to="+to, "admin", 200)
		if !strings.HasPrefix(csv, "\ufeffDate;Commandes;") || !strings.Contains(csv, ";22,00\r\n") || ctype != "text/csv; charset=utf-8" {
			t.Fatalf("CSV %s %q", ctype, csv)
		}
		if page, _ := c.page("/admin/reports?from="+from+"&to="+to, "admin", 200); !strings.Contains(page, `<svg class="chart"`) {
			t.Fatal("the reports page has no chart")
		}
		c.page("/admin/reports/days.csv?from="+from+"&to="+to, "manager", 403)
		mine := c.must(200, "GET", fmt.Sprintf("%s&pizzeria=%d", path, c.shop), "manager", nil)
		if len(mine["pizzerias"].([]any)) != 1 {
			t.Fatalf("the manager's report %v", mine["pizzerias"])
		}
		c.refuse([]refusal{
			{"manager, the chain", "GET", path, "manager", nil, 403, "forbidden"},
			{"other manager", "GET", fmt.Sprintf("%s&pizzeria=%d", path, c.shop), "manager2", nil, 403, "forbidden"},
			{"counter", "GET", fmt.Sprintf("%s&pizzeria=%d", path, c.shop), "counter", nil, 403, "forbidden"},
			{"customer", "GET", path, "alice", nil, 403, "forbidden"},
			{"anonymous", "GET", path, "", nil, 401, "unauthorized"},
			{"no period", "GET", "/api/v1/reports", "admin", nil, 422, "invalid"},
			{"backwards", "GET", "/api/v1/reports?from=" + to + "&to=" + from, "admin", nil, 422, "invalid"},
			{"three years", "GET", "/api/v1/reports?from=2020-01-01&to=2023-01-01", "admin", nil, 422, "invalid"},
			{"bad pizzeria", "GET", path + "&pizzeria=x", "admin", nil, 422, "invalid"},
			{"unknown pizzeria", "GET", path + "&pizzeria=999999", "admin", nil, 404, "not_found"},
		})
	})
}

// page fetches a web page as who, by the session cookie their token is
// (the same sessions as the API's), and returns it with its type.
func (c *chain) page(path, who string, want int) (string, string) {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.srv.URL+path, nil)
	check(c.t, err)
	req.AddCookie(&http.Cookie{Name: "ocpizza", Value: c.tokens[who]})
	res, err := c.srv.Client().Do(req)
	check(c.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	check(c.t, err)
	if res.StatusCode != want {
		c.t.Fatalf("%s as %s: %d, want %d", path, who, res.StatusCode, want)
	}
	return string(body), res.Header.Get("Content-Type")
}
