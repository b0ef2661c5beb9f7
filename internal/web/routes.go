package web

import "github.com/oc-pizza/ocpizza/internal/account"

// table lists every page with who may open it: the site's map, one
// list per audience, and what the access tests walk.
func (p *Pages) table() []route {
	var t []route
	t = append(t, p.siteRoutes()...)
	t = append(t, p.staffRoutes()...)
	t = append(t, p.manageRoutes()...)
	return t
}

// siteRoutes are the customers' website and accounts.
func (p *Pages) siteRoutes() []route {
	anyone := Access{}
	signedIn := Access{SignIn: true}
	return []route{
		// The customers' website.
		{"GET /{$}", anyone, p.home},
		{"GET /pizzerias/{id}", anyone, p.menu},
		{"GET /pizzerias/{id}/live", anyone, p.menuLive},
		{"GET /cart", anyone, p.cartShow},
		{"POST /cart/add", anyone, p.cartAdd},
		{"POST /cart/update", anyone, p.cartUpdate},
		{"GET /checkout", signedIn, p.checkoutShow},
		{"POST /checkout", signedIn, p.checkoutPlace},
		{"GET /orders/{id}", signedIn, p.orderShow},
		{"GET /orders/{id}/live", signedIn, p.orderLive},
		{"POST /orders/{id}/cancel", signedIn, p.orderCancel},
		{"GET /orders/{id}/edit", signedIn, p.orderEdit},
		{"POST /orders/{id}/edit", signedIn, p.orderModify},

		// Accounts.
		{"GET /login", anyone, p.loginShow},
		{"POST /login", anyone, p.loginCheck},
		{"POST /logout", anyone, p.logout},
		{"GET /signup", anyone, p.signupShow},
		{"POST /signup", anyone, p.signupCreate},
		{"GET /password/forgot", anyone, p.forgotShow},
		{"POST /password/forgot", anyone, p.forgotSend},
		{"GET /password/reset", anyone, p.resetShow},
		{"POST /password/reset", anyone, p.resetSave},
		{"GET /account/orders", signedIn, p.myOrders},
		{"POST /account/orders/{id}/reorder", signedIn, p.reorder},
		{"GET /account/addresses", signedIn, p.addresses},
		{"POST /account/addresses", signedIn, p.addressAdd},
		{"POST /account/addresses/{id}/delete", signedIn, p.addressDelete},
	}
}

// staffRoutes are the pizzeria's screens: counter, kitchen, driver.
func (p *Pages) staffRoutes() []route {
	counter := Access{Roles: []account.Role{account.Counter}}
	kitchen := Access{Roles: []account.Role{account.Pizzaiolo}}
	driver := Access{Roles: []account.Role{account.Driver}}
	return []route{
		{"GET /staff", Access{SignIn: true}, p.staffHome},
		{"GET /counter/{pizzeria}", counter, p.counter},
		{"GET /counter/{pizzeria}/live", counter, p.pizzeriaLive},
		{"POST /counter/{pizzeria}/orders", counter, p.counterPlace},
		{"POST /counter/{pizzeria}/orders/{id}/{action}", counter, p.counterAct},
		{"GET /counter/{pizzeria}/orders/{id}/ticket", counter, p.counterTicket},
		{"GET /kitchen/{pizzeria}", kitchen, p.kitchen},
		{"GET /kitchen/{pizzeria}/live", kitchen, p.pizzeriaLive},
		{"POST /kitchen/{pizzeria}/orders/{id}/status", kitchen, p.kitchenMove},
		{"GET /driver/{pizzeria}", driver, p.driver},
		{"GET /driver/{pizzeria}/live", driver, p.pizzeriaLive},
		{"POST /driver/{pizzeria}/leave", driver, p.driverLeave},
		{"POST /driver/{pizzeria}/orders/{id}/delivered", driver, p.driverDelivered},
	}
}

// manageRoutes are the manager's and the admin's back office: the
// manager's screens of their pizzeria (the admin's of every pizzeria),
// and the chain's.
func (p *Pages) manageRoutes() []route {
	manager := Access{Roles: []account.Role{account.Manager}}
	admin := Access{Admin: true}
	return []route{
		{"GET /manage", Access{SignIn: true}, p.manageHome},
		{"GET /manage/{pizzeria}", manager, p.manageBoard},
		{"GET /manage/{pizzeria}/live", manager, p.manageLive},
		{"GET /manage/{pizzeria}/stock", manager, p.manageStock},
		{"POST /manage/{pizzeria}/stock", manager, p.manageStockRecord},
		{"POST /manage/{pizzeria}/stock/thresholds", manager, p.manageThresholds},
		{"GET /manage/{pizzeria}/stock/history", manager, p.manageStockHistory},
		{"GET /manage/{pizzeria}/menu", manager, p.manageMenu},
		{"POST /manage/{pizzeria}/menu/{product}", manager, p.manageMenuSwitch},
		{"GET /manage/{pizzeria}/hours", manager, p.manageHours},
		{"POST /manage/{pizzeria}/hours", manager, p.manageHoursSave},
		{"POST /manage/{pizzeria}/closures", manager, p.manageClosureAdd},
		{"POST /manage/{pizzeria}/closures/{date}/delete", manager, p.manageClosureDelete},
		{"POST /manage/{pizzeria}/zone", manager, p.manageZone},
		{"POST /manage/{pizzeria}/kitchen", manager, p.manageKitchen},
		{"GET /manage/{pizzeria}/staff", manager, p.manageStaff},
		{"POST /manage/{pizzeria}/staff", manager, p.staffInvite},
		{"POST /manage/{pizzeria}/staff/{user}/role", manager, p.staffRole},
		{"POST /manage/{pizzeria}/staff/{user}/disable", manager, p.staffDisable},
		{"POST /manage/{pizzeria}/staff/{user}/enable", manager, p.staffEnable},
		{"POST /manage/{pizzeria}/staff/{user}/remove", manager, p.staffRemove},

		{"GET /admin", admin, p.adminHome},
		{"GET /admin/live", admin, p.adminLive},
		{"GET /admin/pizzerias/new", admin, p.adminPizzeriaNew},
		{"POST /admin/pizzerias", admin, p.adminPizzeriaOpen},
		{"GET /admin/pizzerias/{id}", admin, p.adminPizzeriaEdit},
		{"POST /admin/pizzerias/{id}", admin, p.adminPizzeriaSave},
		{"GET /admin/catalogue", admin, p.adminCatalogue},
		{"GET /admin/catalogue/new", admin, p.adminProductNew},
		{"POST /admin/catalogue", admin, p.adminProductSave},
		{"GET /admin/catalogue/{id}", admin, p.adminProductEdit},
		{"POST /admin/catalogue/{id}", admin, p.adminProductSave},
		{"POST /admin/catalogue/{id}/retire", admin, p.adminProductRetire},
		{"POST /admin/ingredients", admin, p.adminIngredientAdd},
		{"POST /admin/ingredients/rename", admin, p.adminIngredientRename},
		{"GET /admin/staff", admin, p.adminStaff},
		{"POST /admin/staff", admin, p.staffInvite},
		{"POST /admin/staff/{user}/disable", admin, p.staffDisable},
		{"POST /admin/staff/{user}/enable", admin, p.staffEnable},
		{"GET /admin/reports", admin, p.adminReports},
		{"GET /admin/reports/{table}", admin, p.adminReportCSV},
	}
}
