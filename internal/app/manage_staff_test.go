package app_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestInviteStaff: a manager invites a driver, who sets a password through
// the single-use link and signs in; an e-mail that has an account gets the
// role; nobody invites beyond their pizzeria or role.
func TestInviteStaff(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		box := &mailbox{got: make(chan struct{}, 10)}
		c.server.Shop.Mail, c.server.Shop.PublicURL = box, "https://www.ocpizza.test"
		driver := func(email string, shopID int64) map[string]any {
			return map[string]any{"email": email, "name": "Nouveau livreur", "role": "driver", "pizzeria_id": shopID}
		}
		c.refuse([]refusal{
			{"anonymous", "POST", "/api/v1/staff", "", driver("new@ocpizza.test", c.shop), 401, "unauthorized"},
			{"counter invites", "POST", "/api/v1/staff", "counter", driver("new@ocpizza.test", c.shop), 403, "forbidden"},
			{"other manager invites here", "POST", "/api/v1/staff", "manager2", driver("new@ocpizza.test", c.shop), 403, "forbidden"},
			{"manager names an admin", "POST", "/api/v1/staff", "manager", map[string]any{"email": "new@ocpizza.test", "name": "X", "role": "admin"}, 403, "forbidden"},
			{"customer role", "POST", "/api/v1/staff", "manager", map[string]any{"email": "new@ocpizza.test", "name": "X", "role": "customer"}, 422, "invalid"},
			{"no pizzeria", "POST", "/api/v1/staff", "admin", driver("new@ocpizza.test", 0), 422, "invalid"},
			{"unknown pizzeria", "POST", "/api/v1/staff", "admin", driver("new@ocpizza.test", 999999), 404, "not_found"},
			{"bad e-mail", "POST", "/api/v1/staff", "manager", driver("not an e-mail", c.shop), 422, "invalid"},
			{"unknown field", "POST", "/api/v1/staff", "manager", map[string]any{"email": "new@ocpizza.test", "name": "X", "role": "driver", "pizzeria_id": c.shop, "salary": 1}, 400, "malformed"},
		})
		if _, err := c.store.UserByEmail(context.Background(), "new@ocpizza.test"); err == nil {
			t.Fatal("a refused invitation wrote an account")
		}
		u := c.must(201, "POST", "/api/v1/staff", "manager", driver("new@ocpizza.test", c.shop))
		if u["disabled"] != false || len(u["roles"].([]any)) != 1 {
			t.Fatalf("invited %v", u)
		}
		token := inviteLink(t, box, "new@ocpizza.test")
		if box.sent[0].Subject != "Bienvenue chez OC Pizza" {
			t.Fatalf("invitation subject %q", box.sent[0].Subject)
		}
		check(t, c.server.Shop.ResetPassword(context.Background(), token, password))
		signed := c.must(200, "POST", "/api/v1/auth/token", "", map[string]any{"email": "new@ocpizza.test", "password": password})
		c.tokens["new"] = signed["token"].(string)
		c.must(200, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/orders", c.shop), "new", nil)

		// driver2 of the other pizzeria joins this one too: same account.
		both := c.must(200, "POST", "/api/v1/staff", "manager", driver("driver2@ocpizza.test", c.shop))
		if len(both["roles"].([]any)) != 2 {
			t.Fatalf("driver2's roles %v", both["roles"])
		}
		c.must(200, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/orders", c.shop), "driver2", nil)
		if m := mailTo(t, box, "driver2@ocpizza.test"); !strings.HasPrefix(m.Subject, "Vous faites partie de l'équipe de ") || !strings.Contains(m.Text, "livreur") {
			t.Errorf("an existing account put on the team is told: %q %q", m.Subject, m.Text)
		}

		status, list := c.call("GET", fmt.Sprintf("/api/v1/staff?pizzeria=%d", c.shop), "manager", nil)
		if status != 200 || len(list.([]any)) != 6 { // counter, pizzaiolo, driver, manager, new, driver2
			t.Fatalf("staff: %d %v", status, list)
		}
		status, all := c.call("GET", "/api/v1/staff", "admin", nil)
		if status != 200 || len(all.([]any)) != 8 {
			t.Fatalf("chain staff: %d %d", status, len(all.([]any)))
		}
		c.refuse([]refusal{
			{"other manager lists", "GET", fmt.Sprintf("/api/v1/staff?pizzeria=%d", c.shop), "manager2", nil, 403, "forbidden"},
			{"manager lists the chain", "GET", "/api/v1/staff", "manager", nil, 403, "forbidden"},
			{"driver lists", "GET", fmt.Sprintf("/api/v1/staff?pizzeria=%d", c.shop), "driver", nil, 403, "forbidden"},
			{"bad pizzeria", "GET", "/api/v1/staff?pizzeria=x", "admin", nil, 422, "invalid"},
		})

		// Any known e-mail can be put on the team, a customer's too: they
		// hear of it, and the manager cannot lock them out of their own
		// account by disabling it (the administrator can).
		alice := fmt.Sprint(c.customerID("alice"))
		c.must(200, "POST", "/api/v1/staff", "manager", driver("alice@example.test", c.shop))
		mailTo(t, box, "alice@example.test")
		c.refuse([]refusal{{"manager disables a customer put on the team", "POST", "/api/v1/staff/" + alice + "/disable", "manager", nil, 403, "forbidden"}})
		c.must(200, "GET", "/api/v1/me", "alice", nil)
		c.must(200, "POST", "/api/v1/staff/"+alice+"/disable", "admin", nil)
		c.must(200, "POST", "/api/v1/staff/"+alice+"/enable", "admin", nil)
		// The manager takes her off the team instead: her screens go, her
		// account stays.
		c.signInAgain("alice")
		c.must(200, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/orders", c.shop), "alice", nil)
		left := c.must(200, "DELETE", fmt.Sprintf("/api/v1/staff/%s/pizzerias/%d", alice, c.shop), "manager", nil)
		if roles := fmt.Sprint(left["roles"]); strings.Contains(roles, "driver") {
			t.Fatalf("still on the team: %v", roles)
		}
		c.errorCode(403, "GET", fmt.Sprintf("/api/v1/pizzerias/%d/orders", c.shop), "alice", nil)
		c.must(200, "GET", "/api/v1/me", "alice", nil)
		c.refuse([]refusal{
			{"removed twice", "DELETE", fmt.Sprintf("/api/v1/staff/%s/pizzerias/%d", alice, c.shop), "manager", nil, 404, "not_found"},
			{"manager removes self", "DELETE", fmt.Sprintf("/api/v1/staff/%s/pizzerias/%d", c.userID("manager"), c.shop), "manager", nil, 409, "conflict"},
			{"manager of another pizzeria", "DELETE", fmt.Sprintf("/api/v1/staff/%s/pizzerias/%d", c.userID("driver"), c.shop), "manager2", nil, 403, "forbidden"},
		})

		// Asking again for a role held changes nothing and mails nothing.
		box.mu.Lock()
		before := len(box.sent)
		box.mu.Unlock()
		c.must(200, "POST", "/api/v1/staff", "manager", driver("driver2@ocpizza.test", c.shop))
		time.Sleep(100 * time.Millisecond)
		box.mu.Lock()
		after := len(box.sent)
		box.mu.Unlock()
		if after != before {
			t.Errorf("a role already held was mailed again (%d mails, were %d)", after, before)
		}
	})
}

func (c *chain) userID(who string) string {
	c.t.Helper()
	u, err := c.store.UserByEmail(context.Background(), who+"@ocpizza.test")
	check(c.t, err)
	return fmt.Sprint(u.ID)
}

// TestChangeRole: the manager makes the driver a counter employee; nobody
// changes a role beyond their pizzeria, nor their own.
func TestChangeRole(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		path := "/api/v1/staff/" + c.userID("driver") + "/role"
		counter := map[string]any{"role": "counter", "pizzeria_id": c.shop}
		c.refuse([]refusal{
			{"other manager", "PUT", path, "manager2", counter, 403, "forbidden"},
			{"counter", "PUT", path, "counter", counter, 403, "forbidden"},
			{"to admin", "PUT", path, "admin", map[string]any{"role": "admin"}, 422, "invalid"},
			{"where they do not work", "PUT", path, "admin", map[string]any{"role": "counter", "pizzeria_id": c.other}, 404, "not_found"},
			{"own role", "PUT", "/api/v1/staff/" + c.userID("manager") + "/role", "manager", counter, 409, "conflict"},
			{"unknown role", "PUT", path, "manager", map[string]any{"role": "chef", "pizzeria_id": c.shop}, 422, "invalid"},
			{"unknown user", "PUT", "/api/v1/staff/999999/role", "manager", counter, 404, "not_found"},
		})
		o := c.order("alice", nil)
		c.must(200, "POST", "/api/v1/orders/"+id(o)+"/status", "pizzaiolo", map[string]any{"status": "preparing"})
		c.must(200, "POST", "/api/v1/orders/"+id(o)+"/status", "pizzaiolo", map[string]any{"status": "ready"})
		got := c.must(200, "PUT", path, "manager", counter)
		if roles := got["roles"].([]any); len(roles) != 1 || roles[0].(map[string]any)["role"] != "counter" {
			t.Fatalf("roles %v", roles)
		}
		// At once (this instance forgets the cached session), the former
		// driver may no longer take an order out.
		if code := c.errorCode(403, "POST", "/api/v1/orders/"+id(o)+"/status", "driver", map[string]any{"status": "out_for_delivery"}); code != "forbidden" {
			t.Fatal(code)
		}
	})
}

// TestDisableAccount: the manager disables the driver: the driver's open
// event stream closes within 2 s, the token stops working, signing in is
// refused; enabled again, the driver signs in.
func TestDisableAccount(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, c *chain) {
		driver := c.userID("driver")
		c.refuse([]refusal{
			{"other manager", "POST", "/api/v1/staff/" + driver + "/disable", "manager2", nil, 403, "forbidden"},
			{"counter", "POST", "/api/v1/staff/" + driver + "/disable", "counter", nil, 403, "forbidden"},
			{"customer", "POST", "/api/v1/staff/" + driver + "/disable", "alice", nil, 403, "forbidden"},
			{"self", "POST", "/api/v1/staff/" + c.userID("manager") + "/disable", "manager", nil, 409, "conflict"},
			{"the admin", "POST", "/api/v1/staff/" + c.userID("admin") + "/disable", "manager", nil, 403, "forbidden"},
			{"a customer", "POST", "/api/v1/staff/" + fmt.Sprint(c.customerID("alice")) + "/disable", "manager", nil, 404, "not_found"},
			{"unknown", "POST", "/api/v1/staff/999999/disable", "manager", nil, 404, "not_found"},
		})
		c.must(200, "GET", "/api/v1/me", "driver", nil)

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/pizzerias/%d/events", c.srv.URL, c.shop), nil)
		req.Header.Set("Authorization", "Bearer "+c.tokens["driver"])
		res, err := c.srv.Client().Do(req)
		check(t, err)
		defer res.Body.Close()
		stream := bufio.NewReader(res.Body)
		if line, _ := stream.ReadString('\n'); !strings.HasPrefix(line, "retry:") {
			t.Fatalf("stream opened with %q", line)
		}
		disabled := c.must(200, "POST", "/api/v1/staff/"+driver+"/disable", "manager", nil)
		if disabled["disabled"] != true {
			t.Fatalf("disabled %v", disabled)
		}
		ended := make(chan error, 1)
		go func() {
			for {
				if _, err := stream.ReadString('\n'); err != nil {
					ended <- err
					return
				}
			}
		}()
		select {
		case err := <-ended:
			if !errors.Is(err, io.EOF) {
				t.Fatalf("the stream ended with %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("the disabled driver's stream still runs 2 s later")
		}
		c.errorCode(401, "GET", "/api/v1/me", "driver", nil)
		status, out := c.call("POST", "/api/v1/auth/token", "", map[string]any{"email": "driver@ocpizza.test", "password": password})
		if msg := fmt.Sprint(out); status != 401 || !strings.Contains(msg, "disabled") {
			t.Fatalf("a disabled driver signs in: %d %v", status, out)
		}
		c.errorCode(401, "POST", "/api/v1/auth/token", "", map[string]any{"email": "driver@ocpizza.test", "password": "not the password"})

		c.refuse([]refusal{{"other manager enables", "POST", "/api/v1/staff/" + driver + "/enable", "manager2", nil, 403, "forbidden"}})
		c.must(200, "POST", "/api/v1/staff/"+driver+"/enable", "manager", nil)
		c.must(200, "POST", "/api/v1/auth/token", "", map[string]any{"email": "driver@ocpizza.test", "password": password})
		// The admin may disable someone who works in two pizzerias; their
		// managers may not.
		c.must(200, "POST", "/api/v1/staff", "manager", map[string]any{"email": "driver2@ocpizza.test", "name": "driver2", "role": "driver", "pizzeria_id": c.shop})
		c.refuse([]refusal{{"manager, two pizzerias", "POST", "/api/v1/staff/" + c.userID("driver2") + "/disable", "manager", nil, 403, "forbidden"}})
		c.must(200, "POST", "/api/v1/staff/"+c.userID("driver2")+"/disable", "admin", nil)
	})
}

func (c *chain) customerID(who string) int64 {
	c.t.Helper()
	u, err := c.store.UserByEmail(context.Background(), who+"@example.test")
	check(c.t, err)
	return u.ID
}
